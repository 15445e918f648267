"""Real-size MoE layers for the streamed `crosscheck --model` benchmark (docs/performance.md).

  write DIR --shape mixtral|deepseek-v2|deepseek-v3
      A random layer in the hub layout, BF16, N(0, 1/fan_in) weights: Mixtral-8x7B's
      (d 4096, 8 experts, d_ff 14336, top-2, two shards, 2.8 GB) or a DeepSeek-V3-sized
      deepseek_v2 stand-in (d 7168, 256 experts of d_ff 2048, top-8, one shared expert;
      22.5 GB: eight random experts written 32 times over, each with its own router row),
      or deepseek-v3: DeepSeek-V3's layer as released (same sizes, experts F8_E4M3 with F32
      128×128 weight_scale_inv blocks, BF16 router, F32 e_score_correction_bias, sigmoid
      noaux_tc router with n_group 8, topk_group 4, routed_scaling_factor 2.5; 11.3 GB in four
      shards; to write fast, eight random FP8 experts are reused 32 times over, each with its
      own router row and its own random block scales).
      Also DIR/inputs-T.safetensors for T in 1, 2, 8, 32, 64: `x`, the first T of 64 seeded
      N(0, 1) tokens.
  peer DIR --tokens T --jacobian-tokens J
      The PyTorch peer of `analyze crosscheck --model DIR --layer 0 --inputs DIR/inputs-T.safetensors
      --jacobian-tokens J`: transformers' MixtralExperts on the first T tokens, one routed expert at a time
      (only the routed experts are read), then for the first J tokens the same randomized range
      finder on R·V and Rᵀ·U with torch.func.jvp / vjp in float64 (the token's K experts held,
      r + 8 probes for R and twice that for ‖J‖₂ in one batch, 2 power iterations, as analyze).
  time -- COMMAND...
      Runs COMMAND and prints its wall time and peak resident memory (getrusage of the child).

Needs torch, transformers, safetensors, numpy (/opt/venv/bin/python). Writes only under DIR.
"""
import json
import os
import resource
import struct
import subprocess
import sys
import time

SHAPES = {
    "mixtral": dict(model_type="mixtral", hidden_size=4096, num_local_experts=8, num_experts_per_tok=2,
                    intermediate_size=14336, shards=2),
    "deepseek-v2": dict(model_type="deepseek_v2", hidden_size=7168, n_routed_experts=256, num_experts_per_tok=8,
                        moe_intermediate_size=2048, n_shared_experts=1, shards=4),
    "deepseek-v3": dict(model_type="deepseek_v3", hidden_size=7168, n_routed_experts=256, num_experts_per_tok=8,
                        moe_intermediate_size=2048, n_shared_experts=1, n_group=8, topk_group=4, shards=4),
}


TOKEN_CURVE = (1, 2, 8, 32, 64)


def tensors_of(shape):
    """(name, rows, cols, pool index) for every tensor of layer 0, in file order; a pool index
    of None is a fresh random tensor. DeepSeek-V3's FP8 weights are followed by their scales."""
    c = SHAPES[shape]
    d = c["hidden_size"]
    out = []
    if shape == "mixtral":
        p, n, ff = "model.layers.0.block_sparse_moe", c["num_local_experts"], c["intermediate_size"]
        out.append((f"{p}.gate.weight", n, d, None))
        for e in range(n):
            out += [(f"{p}.experts.{e}.w1.weight", ff, d, e), (f"{p}.experts.{e}.w2.weight", d, ff, e),
                    (f"{p}.experts.{e}.w3.weight", ff, d, e)]
    else:
        p, n, ff = "model.layers.0.mlp", c["n_routed_experts"], c["moe_intermediate_size"]
        out.append((f"{p}.gate.weight", n, d, None))
        for e in range(n):
            out += [(f"{p}.experts.{e}.gate_proj.weight", ff, d, e % 8), (f"{p}.experts.{e}.down_proj.weight", d, ff, e % 8),
                    (f"{p}.experts.{e}.up_proj.weight", ff, d, e % 8)]
        out += [(f"{p}.shared_experts.gate_proj.weight", ff, d, 8), (f"{p}.shared_experts.down_proj.weight", d, ff, 8),
                (f"{p}.shared_experts.up_proj.weight", ff, d, 8)]
        if shape == "deepseek-v3":
            scaled = [(f"{t}_scale_inv", -(-rows // 128), -(-cols // 128), None) for (t, rows, cols, _) in out[1:]]
            out = out + scaled + [(f"{p}.gate.e_score_correction_bias", 1, n, None)]
    return out


def dtype_of(name, shape):
    """The stored dtype of a tensor: DeepSeek-V3's release keeps experts in F8_E4M3 with F32 scales."""
    if shape != "deepseek-v3" or name.endswith("gate.weight"):
        return "BF16"
    return "F32" if name.endswith(("_scale_inv", "e_score_correction_bias")) else "F8_E4M3"


def write(directory, shape, tokens):
    import torch
    c = SHAPES[shape]
    os.makedirs(directory, exist_ok=True)
    entries = tensors_of(shape)
    shards = c["shards"]
    per = (len(entries) + shards - 1) // shards
    groups = [entries[i * per:(i + 1) * per] for i in range(shards)]
    weight_map = {}
    pool = {}
    gen = torch.Generator().manual_seed(0)

    def random(name, rows, cols):
        dtype = dtype_of(name, shape)
        if dtype == "F8_E4M3":
            # q ~ N(0, 1) in e4m3 (within ±448); the scale blocks carry 1/sqrt(fan_in).
            return torch.randn(rows, cols, generator=gen).to(torch.float8_e4m3fn).view(torch.uint8)
        if name.endswith("_scale_inv"):
            fan_in = 7168 if name.split(".")[-2] in ("gate_proj", "up_proj") else 2048
            return (0.5 + torch.rand(rows, cols, generator=gen)) / fan_in ** 0.5
        if name.endswith("e_score_correction_bias"):
            return (0.1 * torch.randn(rows, cols, generator=gen)).reshape(cols)
        return (torch.randn(rows, cols, generator=gen) / cols ** 0.5).to(torch.bfloat16).view(torch.int16)

    def values(name, rows, cols, key):
        # One random tensor per (pool index, shape); the DeepSeek stand-ins reuse eight experts.
        if key is None:
            return random(name, rows, cols)
        if (key, rows, cols) not in pool:
            pool[(key, rows, cols)] = random(name, rows, cols)
        return pool[(key, rows, cols)]

    sizes = {"BF16": 2, "F8_E4M3": 1, "F32": 4}

    for i, group in enumerate(groups):
        name = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        header, offset = {}, 0
        for (t, rows, cols, _) in group:
            dtype = dtype_of(t, shape)
            size = rows * cols * sizes[dtype]
            shape_of = [cols] if t.endswith("e_score_correction_bias") else [rows, cols]
            header[t] = {"dtype": dtype, "shape": shape_of, "data_offsets": [offset, offset + size]}
            offset += size
            weight_map[t] = name
        blob = json.dumps(header).encode()
        blob += b" " * (-len(blob) % 8)
        with open(os.path.join(directory, name), "wb") as f:
            f.write(struct.pack("<Q", len(blob)) + blob)
            for (t, rows, cols, key) in group:
                f.write(values(t, rows, cols, key).contiguous().numpy().tobytes())
        print(f"wrote {name}", file=sys.stderr)
    with open(os.path.join(directory, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)
    config = {k: v for k, v in c.items() if k != "shards"}
    config.update(num_hidden_layers=1, hidden_act="silu", rms_norm_eps=1e-6)
    if shape == "deepseek-v2":
        config.update(norm_topk_prob=False, topk_method="greedy", scoring_func="softmax", routed_scaling_factor=1.0,
                      first_k_dense_replace=0, moe_layer_freq=1)
    if shape == "deepseek-v3":
        config.update(norm_topk_prob=True, topk_method="noaux_tc", scoring_func="sigmoid", routed_scaling_factor=2.5,
                      first_k_dense_replace=0, moe_layer_freq=1,
                      quantization_config={"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
                                           "weight_block_size": [128, 128]})
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f)
    from safetensors.torch import save_file
    x = torch.randn(tokens, c["hidden_size"], generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    for t in TOKEN_CURVE:
        save_file({"x": x[:t].to(torch.float32).contiguous()}, os.path.join(directory, f"inputs-{t}.safetensors"))


class Layer:
    """Layer 0 of DIR, read tensor by tensor (safe_open reads only what is asked)."""

    def __init__(self, directory):
        from safetensors import safe_open
        self.config = json.load(open(os.path.join(directory, "config.json")))
        index = json.load(open(os.path.join(directory, "model.safetensors.index.json")))["weight_map"]
        self.files = {f: safe_open(os.path.join(directory, f), "pt") for f in set(index.values())}
        self.index = index
        self.mixtral = self.config["model_type"] == "mixtral"
        self.prefix = "model.layers.0.block_sparse_moe" if self.mixtral else "model.layers.0.mlp"

    def get(self, name):
        return self.files[self.index[name]].get_tensor(name)

    def expert(self, e, dtype):
        """(w1, w2, w3) of routed expert e (None: the shared expert)."""
        import torch
        if self.mixtral:
            names = [f"{self.prefix}.experts.{e}.{w}.weight" for w in ("w1", "w2", "w3")]
        else:
            base = f"{self.prefix}.experts.{e}" if e is not None else f"{self.prefix}.shared_experts"
            names = [f"{base}.{w}.weight" for w in ("gate_proj", "down_proj", "up_proj")]
        return [self.get(n).to(dtype) for n in names]


def peer(directory, tokens, jacobian_tokens):
    import torch
    from safetensors.torch import load_file
    from transformers import MixtralConfig
    from transformers.models.mixtral.modeling_mixtral import MixtralExperts
    torch.manual_seed(0)
    layer = Layer(directory)
    c = layer.config
    k = c["num_experts_per_tok"]
    x = load_file(os.path.join(directory, f"inputs-{tokens}.safetensors"))["x"].to(torch.float64)
    router = layer.get(f"{layer.prefix}.gate.weight").to(torch.float64)
    probs = torch.softmax(x @ router.T, dim=-1)
    top, idx = torch.topk(probs, k, dim=-1)
    gates = top / top.sum(-1, keepdim=True) if layer.mixtral else top
    # Forward: transformers' experts module holding one routed expert at a time.
    ff = c.get("intermediate_size") or c["moe_intermediate_size"]
    one = MixtralConfig(hidden_size=c["hidden_size"], intermediate_size=ff, num_local_experts=1, hidden_act="silu")
    y = torch.zeros_like(x, dtype=torch.float32)
    for e in sorted(set(idx.flatten().tolist())):
        block = MixtralExperts(one)
        w1, w2, w3 = layer.expert(e, torch.float32)
        with torch.no_grad():
            block.gate_up_proj.copy_(torch.cat([w1, w3])[None])
            block.down_proj.copy_(w2[None])
            mask = idx == e
            y += block(x.to(torch.float32), torch.where(mask, 0, 1), gates.to(torch.float32) * mask)
        del block, w1, w2, w3
    # Jacobian test, matrix-free, float64: R V = J V − V − Σ g_i J_i V − J_s V.
    ranks = []
    for t in range(min(jacobian_tokens, tokens)):
        sel = idx[t].tolist()
        experts = [layer.expert(e, torch.float64) for e in sel]
        shared = layer.expert(None, torch.float64) if c.get("n_shared_experts") else None

        def expert_fn(w):
            return lambda v: w[1] @ (torch.nn.functional.silu(w[0] @ v) * (w[2] @ v))

        def block_fn(v):
            p = torch.softmax(router @ v, dim=-1)
            g = p[sel] / p[sel].sum() if layer.mixtral else p[sel]
            out = v + sum(g[i] * expert_fn(w)(v) for i, w in enumerate(experts))
            return out + (expert_fn(shared)(v) if shared is not None else 0)

        g = gates[t]
        xt = x[t]

        def weighted_fn(v):
            # Σ g_i E_i(v) + Es(v) with the gates held at their value at x: its Jacobian at x is
            # Σ g_i J_i + J_s, what R subtracts.
            out = sum(g[i] * expert_fn(w)(v) for i, w in enumerate(experts))
            return out + (expert_fn(shared)(v) if shared is not None else 0)

        def apply(vs, m):
            """(R V[:, :m], J V[:, m:]) in one batched pass: jvp of the block and of the weighted sum."""
            jvs = torch.func.vmap(lambda v: torch.func.jvp(block_fn, (xt,), (v,))[1], in_dims=1, out_dims=1)(vs)
            sub = torch.func.vmap(lambda v: torch.func.jvp(weighted_fn, (xt,), (v,))[1], in_dims=1, out_dims=1)(vs[:, :m])
            return jvs[:, :m] - vs[:, :m] - sub, jvs[:, m:]

        def apply_t(us, m):
            """(Rᵀ U[:, :m], Jᵀ U[:, m:]) by vjp."""
            _, pull = torch.func.vjp(block_fn, xt)
            _, pull_w = torch.func.vjp(weighted_fn, xt)
            jts = torch.func.vmap(lambda u: pull(u)[0], in_dims=1, out_dims=1)(us)
            sub = torch.func.vmap(lambda u: pull_w(u)[0], in_dims=1, out_dims=1)(us[:, :m])
            return jts[:, :m] - us[:, :m] - sub, jts[:, m:]

        d = xt.shape[0]
        r = k - 1 if layer.mixtral else k
        m = r + 8
        orth = lambda a: torch.linalg.qr(a)[0]
        yr, yj = apply(torch.cat([torch.randn(d, m, dtype=torch.float64), torch.randn(d, 2 * m, dtype=torch.float64)], 1), m)
        for _ in range(2):
            zr, zj = apply_t(torch.cat([orth(yr), orth(yj)], 1), m)
            yr, yj = apply(torch.cat([orth(zr), orth(zj)], 1), m)
        qr_, qj = orth(yr), orth(yj)
        br, bj = apply_t(torch.cat([qr_, qj], 1), m)
        norm_j = torch.linalg.svdvals(bj)[0]
        sv = torch.linalg.svdvals(br)
        ranks.append(int((sv > 1e-10 * norm_j).sum()))
        del experts, shared
    print(json.dumps({"tokens": tokens, "ranks": ranks, "y_norm": float(y.norm())}))


def timed(command):
    start = time.time()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.time() - start
    print(f"wall {wall:.1f} s, peak RSS {usage.ru_maxrss / 1024 / 1024:.2f} GB, exit {os.waitstatus_to_exitcode(status)}: "
          + " ".join(command[:3]) + " …", file=sys.stderr)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["write"]:
        write(args[1], args[args.index("--shape") + 1], max(TOKEN_CURVE))
    elif args[:1] == ["peer"]:
        peer(args[1], int(args[args.index("--tokens") + 1]), int(args[args.index("--jacobian-tokens") + 1]))
    elif args[:1] == ["time"]:
        sys.exit(timed(args[args.index("--") + 1:]))
    else:
        sys.exit(__doc__)
