#!/usr/bin/env python3
"""Tiny synthetic Hugging Face MoE model directories, with reference outputs of each model's MoE block.

    python3 tools/make_model_fixtures.py     # writes Tests/CheckpointTests/Fixtures/models/<name>/

Each directory looks like a real checkpoint of its family: config.json with the family's
keys, weights under the real tensor names (a few non-MoE tensors too: embeddings, norms,
an attention projection, dense MLPs where the config makes a layer dense), either one
model.safetensors or shards with model.safetensors.index.json. Widths are tiny (d = 16,
a few experts of width 8), weights random.

reference.safetensors holds, per MoE layer i, tokens and what the model's MoE block does
with them, computed in float64 by the PyTorch re-implementations below from the stored
weights (widened exactly from BF16/F16 where the model is stored so):

    layers.{i}.x        [T, d]  F64   inputs
    layers.{i}.moe_out  [T, d]  F64   the block's output (no residual: the decoder layer adds x)
    layers.{i}.topk     [T, K]  I64   selected experts, in descending routing weight
    layers.{i}.weights  [T, K]  F64   the routing weights the block multiplies expert outputs by

The blocks follow the transformers / DeepSeek sources they are named after, router
semantics included: Mixtral renormalises the top-k softmax weights; Qwen2-MoE, Qwen3-MoE
and OLMoE do so only with norm_topk_prob; Qwen2-MoE scales its shared expert by
sigmoid(shared_expert_gate(x)); DeepSeek (modeling_deepseek.py) selects with torch.topk
on the softmax scores (group-limited: groups ranked by their max score, the rest masked to
0), renormalises only when top_k > 1 and norm_topk_prob, and otherwise multiplies by
routed_scaling_factor; its shared experts are one MLP of width n_shared_experts x
moe_intermediate_size, always on.

Tokens are redrawn until every selection has a clear margin (adjacent sorted scores among
the top K + 1, and for group-limited routing the group scores around the cut, differ by
at least MIN_GAP), so round-off cannot change the reference selection.
"""
import json
import os
import shutil

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "CheckpointTests", "Fixtures", "models")
D = 16
TOKENS = 12
MIN_GAP = 1e-3
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def swiglu(x, gate, up, down):
    """down(silu(gate(x)) * up(x)), weights as nn.Linear stores them ([out, in])."""
    return (F.silu(x @ gate.T) * (x @ up.T)) @ down.T


def combine(x, idx, w, experts):
    """sum_k w[t, k] * expert_{idx[t, k]}(x[t]), as the transformers loops do."""
    out = torch.zeros_like(x)
    for t in range(x.shape[0]):
        for k in range(idx.shape[1]):
            g, u, dn = experts[int(idx[t, k])]
            out[t] += w[t, k] * swiglu(x[t:t + 1], g, u, dn)[0]
    return out


def mixtral_router(logits, cfg):
    """MixtralSparseMoeBlock: softmax, top-k, renormalise."""
    probs = F.softmax(logits, dim=-1)
    w, idx = torch.topk(probs, cfg["num_experts_per_tok"], dim=-1)
    return idx, w / w.sum(dim=-1, keepdim=True)


def qwen_router(logits, cfg):
    """Qwen2MoeSparseMoeBlock / Qwen3MoeSparseMoeBlock / OlmoeSparseMoeBlock."""
    probs = F.softmax(logits, dim=-1)
    w, idx = torch.topk(probs, cfg["num_experts_per_tok"], dim=-1)
    if cfg.get("norm_topk_prob", False):
        w = w / w.sum(dim=-1, keepdim=True)
    return idx, w


def deepseek_router(logits, cfg):
    """MoEGate of modeling_deepseek.py (DeepSeek-MoE and DeepSeek-V2)."""
    k = cfg["num_experts_per_tok"]
    scores = F.softmax(logits, dim=-1)
    if cfg.get("topk_method", "greedy") == "group_limited_greedy":
        t, n = scores.shape
        groups = cfg["n_group"]
        group_scores = scores.view(t, groups, -1).max(dim=-1).values
        group_idx = torch.topk(group_scores, k=cfg["topk_group"], dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores)
        group_mask.scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(t, groups, n // groups).reshape(t, -1)
        scores = scores.masked_fill(~score_mask.bool(), 0.0)
    w, idx = torch.topk(scores, k=k, dim=-1, sorted=False)
    if k > 1 and cfg.get("norm_topk_prob", False):
        w = w / (w.sum(dim=-1, keepdim=True) + 1e-20)
    else:
        w = w * cfg.get("routed_scaling_factor", 1.0)
    return idx, w


def margins_ok(logits, cfg, family):
    """Every token's selection (and group cut) is clear by MIN_GAP."""
    k = cfg["num_experts_per_tok"]
    probs = F.softmax(logits, dim=-1)
    if family == "deepseek_v2" and cfg.get("topk_method") == "group_limited_greedy":
        t, n = probs.shape
        gs = probs.view(t, cfg["n_group"], -1).max(dim=-1).values.sort(dim=-1, descending=True).values
        cut = cfg["topk_group"]
        if cut < gs.shape[1] and (gs[:, cut - 1] - gs[:, cut]).min() < MIN_GAP:
            return False
        mask = torch.zeros_like(probs)
        gsize = n // cfg["n_group"]
        for ti in range(t):
            top_groups = probs[ti].view(cfg["n_group"], -1).max(dim=-1).values.topk(cut).indices
            for g in top_groups:
                mask[ti, g * gsize:(g + 1) * gsize] = 1
        probs = probs * mask
    top = probs.sort(dim=-1, descending=True).values[:, :k + 1]
    return bool((top[:, :-1] - top[:, 1:]).min() >= MIN_GAP)


def block(family, cfg, x, w):
    """One MoE block's output, selection and routing weights; w maps short names to float64 tensors."""
    logits = x @ w["gate"].T
    router = {"mixtral": mixtral_router, "deepseek": deepseek_router, "deepseek_v2": deepseek_router}.get(family, qwen_router)
    idx, weights = router(logits, cfg)
    out = combine(x, idx, weights, w["experts"])
    if "shared" in w:
        shared = swiglu(x, *w["shared"])
        if "shared_gate" in w:
            shared = torch.sigmoid(x @ w["shared_gate"].T) * shared
        out = out + shared
    # Descending weight, ties by index: the order the Swift layer reports.
    order = torch.stack([torch.tensor(sorted(range(idx.shape[1]), key=lambda j: (-float(weights[t, j]), int(idx[t, j]))))
                         for t in range(idx.shape[0])])
    return out, torch.gather(idx, 1, order), torch.gather(weights, 1, order)


class Builder:
    """Draws one model's tensors (rounded to its dtype) and remembers them in float64."""

    def __init__(self, seed, dtype):
        self.gen = torch.Generator().manual_seed(seed)
        self.dtype = DTYPES[dtype]
        self.tensors = {}

    def draw(self, name, shape, scale):
        t = (torch.randn(shape, generator=self.gen, dtype=torch.float64) * scale).to(self.dtype)
        self.tensors[name] = t
        return t.to(torch.float64)

    def linear(self, name, out_dim, in_dim):
        return self.draw(name, (out_dim, in_dim), in_dim ** -0.5)

    def ones(self, name, n):
        self.tensors[name] = torch.ones(n, dtype=self.dtype)


def build(name, family, cfg, dtype, seed, storage="per_expert", shards=None):
    """Writes Fixtures/models/<name>/: config.json, weights, reference.safetensors."""
    out_dir = os.path.join(ROOT, name)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    b = Builder(seed, dtype)
    d, layers = cfg["hidden_size"], cfg["num_hidden_layers"]
    n = cfg.get("num_local_experts") or cfg.get("num_experts") or cfg.get("n_routed_experts")
    ff = cfg["intermediate_size"] if family in ("mixtral", "olmoe") else cfg["moe_intermediate_size"]
    b.draw("model.embed_tokens.weight", (cfg["vocab_size"], d), 1.0)
    moe = {}
    for i in range(layers):
        p = f"model.layers.{i}"
        b.ones(f"{p}.input_layernorm.weight", d)
        b.ones(f"{p}.post_attention_layernorm.weight", d)
        b.linear(f"{p}.self_attn.q_proj.weight", d, d)
        dense = (family in ("deepseek", "deepseek_v2") and i < cfg.get("first_k_dense_replace", 0)) or \
                (i in cfg.get("mlp_only_layers", []))
        if dense:
            for proj, (o, k) in {"gate_proj": (cfg["intermediate_size"], d), "up_proj": (cfg["intermediate_size"], d),
                                 "down_proj": (d, cfg["intermediate_size"])}.items():
                b.linear(f"{p}.mlp.{proj}.weight", o, k)
            continue
        m = f"{p}.block_sparse_moe" if family == "mixtral" else f"{p}.mlp"
        w = {"gate": b.draw(f"{m}.gate.weight", (n, d), 2 * d ** -0.5), "experts": []}
        if storage == "merged":
            gate_up = b.draw(f"{m}.experts.gate_up_proj", (n, 2 * ff, d), d ** -0.5)
            down = b.draw(f"{m}.experts.down_proj", (n, d, ff), ff ** -0.5)
            w["experts"] = [(gate_up[e, :ff], gate_up[e, ff:], down[e]) for e in range(n)]
        else:
            names = ("w1", "w3", "w2") if family == "mixtral" else ("gate_proj", "up_proj", "down_proj")
            for e in range(n):
                g = b.linear(f"{m}.experts.{e}.{names[0]}.weight", ff, d)
                u = b.linear(f"{m}.experts.{e}.{names[1]}.weight", ff, d)
                dn = b.linear(f"{m}.experts.{e}.{names[2]}.weight", d, ff)
                w["experts"].append((g, u, dn))
        if family == "qwen2_moe":
            s = cfg["shared_expert_intermediate_size"]
            w["shared"] = (b.linear(f"{m}.shared_expert.gate_proj.weight", s, d),
                           b.linear(f"{m}.shared_expert.up_proj.weight", s, d),
                           b.linear(f"{m}.shared_expert.down_proj.weight", d, s))
            w["shared_gate"] = b.linear(f"{m}.shared_expert_gate.weight", 1, d)
        if family in ("deepseek", "deepseek_v2") and cfg.get("n_shared_experts"):
            s = cfg["n_shared_experts"] * ff
            w["shared"] = (b.linear(f"{m}.shared_experts.gate_proj.weight", s, d),
                           b.linear(f"{m}.shared_experts.up_proj.weight", s, d),
                           b.linear(f"{m}.shared_experts.down_proj.weight", d, s))
        moe[i] = w
    b.ones("model.norm.weight", d)

    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    tensors = {k: v.contiguous() for k, v in b.tensors.items()}
    if shards is None:
        save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
    else:
        weight_map, total = {}, 0
        for s, layer_set in enumerate(shards):
            fname = f"model-{s + 1:05d}-of-{len(shards):05d}.safetensors"
            part = {k: v for k, v in tensors.items() if shard_of(k, layer_set, s, len(shards))}
            save_file(part, os.path.join(out_dir, fname), metadata={"format": "pt"})
            for k, v in part.items():
                weight_map[k] = fname
                total += v.numel() * v.element_size()
        assert set(weight_map) == set(tensors)
        with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)

    ref = {}
    for i, w in moe.items():
        gen = torch.Generator().manual_seed(1000 + seed * 10 + i)
        rows = []
        while len(rows) < TOKENS:
            x = torch.randn(1, d, generator=gen, dtype=torch.float64)
            if margins_ok(x @ w["gate"].T, cfg, family):
                rows.append(x)
        x = torch.cat(rows)
        out, idx, weights = block(family, cfg, x, w)
        ref[f"layers.{i}.x"] = x
        ref[f"layers.{i}.moe_out"] = out
        ref[f"layers.{i}.topk"] = idx.to(torch.int64)
        ref[f"layers.{i}.weights"] = weights
    save_file(ref, os.path.join(out_dir, "reference.safetensors"),
              metadata={"model_type": cfg["model_type"], "moe_layers": ",".join(map(str, sorted(moe)))})
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print(f"{name}: {family}, MoE layers {sorted(moe)}, {size} bytes")


def shard_of(name, layer_set, s, count):
    """Layer tensors go to the shard listing their layer; the rest to the first (embeddings) or last shard."""
    if name.startswith("model.layers."):
        return int(name.split(".")[2]) in layer_set
    return (s == 0) if name.startswith("model.embed") else (s == count - 1)


def base(model_type, arch, layers=2, **extra):
    cfg = {"architectures": [arch], "model_type": model_type, "hidden_size": D, "num_hidden_layers": layers,
           "num_attention_heads": 2, "num_key_value_heads": 2, "vocab_size": 32, "hidden_act": "silu",
           "rms_norm_eps": 1e-06, "torch_dtype": "float32"}
    cfg.update(extra)
    return cfg


def main():
    build("mixtral", "mixtral",
          base("mixtral", "MixtralForCausalLM", intermediate_size=8, num_local_experts=4, num_experts_per_tok=2),
          "float32", seed=1, shards=[{0}, {1}])
    build("qwen2_moe", "qwen2_moe",
          base("qwen2_moe", "Qwen2MoeForCausalLM", intermediate_size=24, moe_intermediate_size=8,
               shared_expert_intermediate_size=12, num_experts=6, num_experts_per_tok=2, norm_topk_prob=False,
               decoder_sparse_step=1, mlp_only_layers=[]),
          "float32", seed=2)
    build("qwen3_moe", "qwen3_moe",
          base("qwen3_moe", "Qwen3MoeForCausalLM", intermediate_size=24, moe_intermediate_size=8, num_experts=6,
               num_experts_per_tok=3, norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[],
               torch_dtype="bfloat16"),
          "bfloat16", seed=3, storage="merged")
    build("olmoe", "olmoe",
          base("olmoe", "OlmoeForCausalLM", intermediate_size=8, num_experts=8, num_experts_per_tok=2,
               norm_topk_prob=False, torch_dtype="float16"),
          "float16", seed=4)
    build("deepseek_moe", "deepseek",
          base("deepseek", "DeepseekForCausalLM", intermediate_size=24, moe_intermediate_size=4, n_routed_experts=6,
               num_experts_per_tok=2, n_shared_experts=2, first_k_dense_replace=1, moe_layer_freq=1,
               norm_topk_prob=False, scoring_func="softmax"),
          "float32", seed=5)
    build("deepseek_v2", "deepseek_v2",
          base("deepseek_v2", "DeepseekV2ForCausalLM", intermediate_size=24, moe_intermediate_size=8,
               n_routed_experts=8, num_experts_per_tok=3, n_shared_experts=1, first_k_dense_replace=0,
               moe_layer_freq=1, norm_topk_prob=False, scoring_func="softmax", topk_method="group_limited_greedy",
               n_group=4, topk_group=2, routed_scaling_factor=2.5),
          "float32", seed=6)


if __name__ == "__main__":
    main()
