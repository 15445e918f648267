"""Fitting a layer to a synthetic task in PyTorch, batches from the portable stream."""
import torch

from .random import SeededRandom
from .tasks import mean_squared_error


def fit_task(model, task, steps, batch=32, lr=1e-2, seed=1):
    """Adam on the content-slice MSE plus the auxiliary losses; batches from SeededRandom(seed).
    Returns the held-out MSE (64 tokens) before and after."""
    rng = SeededRandom(seed)
    x_eval, y_eval, _ = task.held_out(64, torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def held_out():
        with torch.no_grad():
            return mean_squared_error(model(x_eval), y_eval).item()

    before = held_out()
    for _ in range(steps):
        x, y, _ = task.batch(batch, rng, torch.float32)
        out, details = model(x, details=True)
        loss = mean_squared_error(out, y) + details.aux_loss(model.cfg)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return before, held_out()
