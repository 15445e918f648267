"""The spec's checkpoint layout (docs/checkpoint-format.md): one safetensors file with the
configuration in __metadata__, the weights under state_dict names and optionally the ref.*
tensors that `analyze crosscheck FILE` verifies."""
import copy

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from .layer import DEFAULTS, REQUIRED, Chain, DAGMoE
from .random import SeededRandom

INT_KEYS = REQUIRED + ("shared_d_ff", "router_groups", "router_topk_groups")
FLOAT_KEYS = ("norm_eps", "lb_coef", "z_coef")
GRAD_Y_SEED = 2024


def metadata_of(cfg):
    """The config as the spec's metadata strings (extension keys only when switched on)."""
    out = {k: str(cfg[k]) for k in REQUIRED + ("norm", "norm_eps", "router", "shared_d_ff", "lb_coef", "z_coef")}
    out["norm_eps"], out["lb_coef"], out["z_coef"] = (repr(float(cfg[k])) for k in FLOAT_KEYS)
    if cfg["shared_gate"]:
        out["shared_gate"] = "sigmoid"
    if cfg["edge_scorer"] == "bilinear":
        out["edge_scorer"] = "bilinear"
    if cfg["router_groups"]:
        out["router_groups"], out["router_topk_groups"] = str(cfg["router_groups"]), str(cfg["router_topk_groups"])
    return out


def config_of(metadata):
    """The layer config from checkpoint metadata; names the key that is missing or malformed."""
    cfg = {}
    for key in REQUIRED + ("norm", "norm_eps", "router"):
        if key not in metadata:
            raise KeyError(f"checkpoint metadata misses {key!r}")
    for key, value in metadata.items():
        try:
            if key in INT_KEYS:
                cfg[key] = int(value)
            elif key in FLOAT_KEYS:
                cfg[key] = float(value)
            elif key in ("norm", "router", "edge_scorer"):
                cfg[key] = value
            elif key == "shared_gate":
                if value != "sigmoid":
                    raise ValueError("expected sigmoid")
                cfg[key] = True
        except ValueError as error:
            raise ValueError(f"checkpoint metadata {key}={value!r}: {error}") from None
    return cfg


def references(model, x, grad_y=None, seed=GRAD_Y_SEED):
    """Every ref.* tensor, computed in float64 from the model's weights (as `analyze train` does):
    J = sum <y, G> + lb_coef lb + z_coef zl, G standard normals from SeededRandom(seed) unless given."""
    double = copy.deepcopy(model).double()
    x = x.detach().double().clone().requires_grad_(True)
    if grad_y is None:
        rng = SeededRandom(seed)
        grad_y = torch.tensor([rng.normal() for _ in range(x.numel())], dtype=torch.float64).view(x.shape)
    grad_y = grad_y.double()
    double.zero_grad()
    y, det = double(x, details=True)
    j = (y * grad_y).sum() + det.aux_loss(double.cfg)
    j.backward()
    refs = {"ref.x": x.detach(), "ref.y": y.detach(), "ref.topk": det.topk.to(torch.int64),
            "ref.gates": det.gates.detach(), "ref.lb_loss": det.lb_loss.detach(), "ref.z_loss": det.z_loss.detach(),
            "ref.grad_y": grad_y, "ref.grad_x": x.grad.detach()}
    for l, e in enumerate(det.edge_gates):
        refs[f"ref.edge_gates.{l}"] = e.detach()
    for name, param in double.named_parameters():
        # An expert no token selected has no gradient: zero, as the spec's backward gives.
        refs[f"ref.grad.{name}"] = torch.zeros_like(param) if param.grad is None else param.grad.detach()
    return refs


def save_safetensors(model, path, dtype=torch.float32, reference_x=None, grad_y=None, metadata=None):
    """Writes `model` (DAGMoE or Chain) in the spec layout: weights as `dtype` (float32, float64 or
    bfloat16); with `reference_x` [T, d] also the ref.* tensors (float32, ref.topk int64), computed
    in float64 from the weights as stored, so the file checks exactly what it holds."""
    tensors = {k: v.detach().to(dtype).contiguous().cpu() for k, v in model.state_dict().items()}
    meta = metadata_of(model.cfg)
    if isinstance(model, Chain):
        meta.update(aggregator="chain", chain_iterations=str(model.iterations))
        if reference_x is not None:
            raise ValueError("a chain checkpoint has no ref.* tensors (the spec's references are for one layer)")
    if reference_x is not None:
        stored = copy.deepcopy(model).double()
        stored.load_state_dict({k: v.double() for k, v in tensors.items()})
        refs = references(stored, reference_x, grad_y)
        tensors.update({k: (v if k == "ref.topk" else v.float()).contiguous() for k, v in refs.items()})
    meta.update({k: str(v) for k, v in (metadata or {}).items()})
    meta.setdefault("source", "python/dagmoe")
    save_file(tensors, path, metadata=meta)


def read(path):
    """(metadata, {name: tensor}) of a safetensors file."""
    with safe_open(path, framework="pt") as f:
        return f.metadata() or {}, {k: f.get_tensor(k) for k in f.keys()}


def from_safetensors(path, dtype=torch.float64):
    """The layer (or chain) stored at `path`, weights widened to `dtype`, and its ref.* tensors
    ({} when none). Unknown tensors are an error, as with load_state_dict(strict=True)."""
    meta, tensors = read(path)
    cfg = config_of(meta)
    weights = {k: v.to(dtype) for k, v in tensors.items() if not k.startswith("ref.")}
    if meta.get("aggregator") == "chain":
        model = Chain(iterations=int(meta.get("chain_iterations", "1")), **cfg)
    else:
        model = DAGMoE(**cfg)
    model.to(dtype).load_state_dict(weights, strict=True)
    return model, {k: v for k, v in tensors.items() if k.startswith("ref.")}
