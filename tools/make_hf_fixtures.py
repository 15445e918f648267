#!/usr/bin/env python3
"""Tiny random Hugging Face MoE models, judged by transformers itself.

    /opt/venv/bin/python tools/make_hf_fixtures.py [family ...]
        # writes Tests/CheckpointTests/Fixtures/hf/<family>/

For each family: a tiny config of that `model_type` (d = 16, a few experts of width 8),
`AutoModelForCausalLM.from_config`, every weight redrawn at random (gates, biases and
`e_score_correction_bias` included, so that each routing rule matters), `save_pretrained`
(the names and layout the hub uses, safetensors), then one forward pass over a few tokens
in float32 with forward hooks on every MoE block and its router. The directory gets the
model as saved plus `inputs.safetensors` in the `--inputs` format of `analyze crosscheck
--model`:

    layers.{i}.x        [T, d]  F32  what transformers fed MoE block i
    layers.{i}.moe_out  [T, d]  F32  what the block returned (no residual; GraniteMoeShared's
                                     shared MLP, which its decoder layer adds beside the
                                     block, included)
    layers.{i}.topk     [T, K]  I64  the experts its router selected (as a set, ascending)

The file's metadata records the transformers and torch versions that wrote it.

`llama4` and `qwen3_5_moe` are the text fixtures under the multimodal wrappers' names and
config (`text_config`), the layout those wrappers' save_pretrained writes.

`deepseek_v3_fp8` is the deepseek_v3 model with its expert weights stored as DeepSeek-V3's
FP8 release stores them: F8_E4M3 with a float32 `weight_scale_inv` per [4, 8] block
(`quantization_config.weight_block_size`), quantized here, and the float model run with the
weights transformers' own dequantizer (`integrations.finegrained_fp8`) makes of them. Neither
`swift test` nor CI needs this script; its output is committed.
"""
import json
import os
import re
import shutil
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoConfig, AutoModelForCausalLM

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CheckpointTests", "Fixtures", "hf")
TOKENS = 10
BASE = dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=8,
            vocab_size=32, intermediate_size=24, max_position_embeddings=64, tie_word_embeddings=False)
LINEAR = dict(linear_num_key_heads=2, linear_num_value_heads=2, linear_key_head_dim=8, linear_value_head_dim=8)
MLA = dict(q_lora_rank=None, kv_lora_rank=8, qk_rope_head_dim=4, qk_nope_head_dim=4, v_head_dim=8, head_dim=4)

# model_type -> config keys on top of BASE. Each sets the family's routing rules to values
# that make every rule matter (bias, groups, scaling, renormalisation, dense layers).
FAMILIES = {
    "mixtral": dict(num_local_experts=4, num_experts_per_tok=2, intermediate_size=8),
    "qwen2_moe": dict(num_experts=6, num_experts_per_tok=2, moe_intermediate_size=8,
                      shared_expert_intermediate_size=12, norm_topk_prob=False),
    "qwen3_moe": dict(num_experts=6, num_experts_per_tok=3, moe_intermediate_size=8, norm_topk_prob=True,
                      num_hidden_layers=3, mlp_only_layers=[1]),
    "olmoe": dict(num_experts=8, num_experts_per_tok=2, intermediate_size=8),
    "deepseek_v2": dict(MLA, n_routed_experts=8, num_experts_per_tok=3, moe_intermediate_size=8, n_shared_experts=1,
                        first_k_dense_replace=1, num_hidden_layers=3, topk_method="group_limited_greedy",
                        n_group=4, topk_group=2, routed_scaling_factor=2.5, norm_topk_prob=False),
    "deepseek_v3": dict(MLA, n_routed_experts=8, num_experts_per_tok=2, moe_intermediate_size=8, n_shared_experts=1,
                        first_k_dense_replace=1, num_hidden_layers=3, n_group=4, topk_group=2,
                        routed_scaling_factor=2.5, norm_topk_prob=True),
    "glm4_moe": dict(n_routed_experts=8, num_experts_per_tok=3, moe_intermediate_size=8, n_shared_experts=1,
                     first_k_dense_replace=1, num_hidden_layers=3, n_group=2, topk_group=1,
                     routed_scaling_factor=1.5, norm_topk_prob=False),
    "dots1": dict(n_routed_experts=6, num_experts_per_tok=2, moe_intermediate_size=8, n_shared_experts=2,
                  first_k_dense_replace=1, num_hidden_layers=3, n_group=1, topk_group=1,
                  routed_scaling_factor=2.0, norm_topk_prob=True),
    "gpt_oss": dict(num_local_experts=4, num_experts_per_tok=2, intermediate_size=8, swiglu_limit=0.8,
                    layer_types=["sliding_attention", "full_attention"]),
    "phimoe": dict(num_local_experts=5, num_experts_per_tok=2, intermediate_size=8, router_jitter_noise=0.3),
    "llama4_text": dict(num_local_experts=4, num_experts_per_tok=1, intermediate_size=4, intermediate_size_mlp=24,
                        num_hidden_layers=4, interleave_moe_layer_step=2),
    "minimax": dict(num_local_experts=4, num_experts_per_tok=2, intermediate_size=8, block_size=16),
    "minimax_m2": dict(num_local_experts=6, num_experts_per_tok=2, intermediate_size=8),
    "qwen3_next": dict(LINEAR, num_experts=6, num_experts_per_tok=2, moe_intermediate_size=8, shared_expert_intermediate_size=12,
                       norm_topk_prob=False, num_hidden_layers=4, decoder_sparse_step=2),
    "qwen3_5_moe_text": dict(LINEAR, num_experts=6, num_experts_per_tok=3, moe_intermediate_size=8, shared_expert_intermediate_size=12),
    "granitemoe": dict(num_local_experts=4, num_experts_per_tok=2, intermediate_size=8),
    "granitemoeshared": dict(num_local_experts=4, num_experts_per_tok=2, intermediate_size=8,
                             shared_intermediate_size=12),
    "hunyuan_v1_moe": dict(num_experts=4, moe_topk=2, moe_intermediate_size=8, num_shared_expert=1),
    "ernie4_5_moe": dict(moe_num_experts=6, moe_k=2, moe_intermediate_size=8, moe_num_shared_experts=1,
                         moe_layer_start_index=1, moe_layer_end_index=2, moe_layer_interval=1),
}

# Quantized variants: family -> (base family, how its expert weights are stored).
QUANTIZED = {"deepseek_v3_fp8": ("deepseek_v3", "fp8"), "gpt_oss_mxfp4": ("gpt_oss", "mxfp4")}
# gpt-oss's MXFP4 packs 32 values per scale along the input dimension: d and I must be multiples of 32.
SIZES = {"gpt_oss_mxfp4": dict(hidden_size=32, intermediate_size=32, head_dim=16)}
FP4_VALUES = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]
FP8_BLOCK = [4, 8]

# Multimodal wrappers: the text model's fixture saved under the wrapper's names and config, as
# its save_pretrained lays it out (Llama4ForConditionalGeneration keeps the Llama4ForCausalLM as
# `language_model`; Qwen3_5MoeForConditionalGeneration keeps the text model as `model.language_model`).
WRAPPED = {"llama4": ("llama4_text", lambda k: "language_model." + k),
           "qwen3_5_moe": ("qwen3_5_moe_text", lambda k: k.replace("model.", "model.language_model.", 1) if k.startswith("model.") else k)}

BLOCK = re.compile(r"^model\.layers\.(\d+)\.(mlp|block_sparse_moe|feed_forward)$")


def build(family, seed, sizes=None):
    cfg = AutoConfig.for_model(family, **{**BASE, **FAMILIES[family], **(sizes or {})})
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32).eval()
    with torch.no_grad():
        for name, p in list(model.named_parameters()) + list(model.named_buffers()):
            if not p.is_floating_point() or "rotary" in name or "inv_freq" in name:
                continue
            if name.endswith("norm.weight") or "layernorm" in name:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif "e_score_correction_bias" in name:
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) / max(1.0, p.shape[-1]) ** 0.5)
    return model


def capture(model, tokens):
    """Runs the model and returns {layer: (x, moe_out, topk or None)} for every MoE block."""
    found, hooks = {}, []
    for name, module in model.named_modules():
        m = BLOCK.match(name)
        if not m or not hasattr(module, "experts"):
            continue
        i = int(m.group(1))

        def block_hook(mod, args, out, i=i):
            y = out[0] if isinstance(out, tuple) else out
            found.setdefault(i, {})["x"] = args[0].detach().reshape(-1, args[0].shape[-1]).clone()
            found[i]["y"] = y.detach().reshape(-1, y.shape[-1]).clone()
        hooks.append(module.register_forward_hook(block_hook))
        router = getattr(module, "gate", None) or getattr(module, "router", None)
        if router is not None:
            def router_hook(mod, args, out, i=i):
                if isinstance(out, tuple) and not out[-1].is_floating_point():
                    found.setdefault(i, {})["topk"] = out[-1].detach().reshape(-1, out[-1].shape[-1]).clone()
                elif isinstance(out, tuple) and hasattr(mod, "top_k"):
                    # Llama4Router returns (scores, logits): σ of the kept logits, 0 elsewhere.
                    found.setdefault(i, {})["topk"] = out[1].detach().topk(mod.top_k, dim=-1).indices.clone()
            hooks.append(router.register_forward_hook(router_hook))
        # GraniteMoeShared adds its shared MLP in the decoder layer, beside the block.
        shared = getattr(model.model.layers[i], "shared_mlp", None) if m.group(2) == "block_sparse_moe" else None
        if shared is not None:
            def shared_hook(mod, args, out, i=i):
                found.setdefault(i, {})["shared"] = out.detach().reshape(-1, out.shape[-1]).clone()
            hooks.append(shared.register_forward_hook(shared_hook))
    with torch.no_grad():
        model(input_ids=tokens, use_cache=False)
    for h in hooks:
        h.remove()
    for b in found.values():
        if "shared" in b:
            b["y"] = b["y"] + b.pop("shared")
    return found


def fp8_quantize(w, block):
    """Block-wise FP8 e4m3 as DeepSeek-V3 ships it: per [b0, b1] block, scale = amax / 448,
    q = w / scale in float8_e4m3fn; returns (q, weight_scale_inv = scale, [ceil(rows/b0), ceil(cols/b1)])."""
    rows, cols = w.shape
    sr, sc = -(-rows // block[0]), -(-cols // block[1])
    scale = torch.empty(sr, sc, dtype=torch.float32)
    q = torch.empty(rows, cols, dtype=torch.float8_e4m3fn)
    for i in range(sr):
        for j in range(sc):
            blk = w[i * block[0]:(i + 1) * block[0], j * block[1]:(j + 1) * block[1]]
            scale[i, j] = blk.abs().max().clamp(min=1e-12) / 448.0
            q[i * block[0]:(i + 1) * block[0], j * block[1]:(j + 1) * block[1]] = (blk / scale[i, j]).to(torch.float8_e4m3fn)
    return q, scale


def mxfp4_quantize(w):
    """MXFP4 as gpt-oss ships it, for w [N, rows, cols]: per 32 consecutive values of a row one
    e8m0 scale 2^(s − 127) (the smallest power of two with amax / 2^e ≤ 6), values rounded to the
    nearest FP4 e2m1, two per byte (even position in the low nibble). Returns blocks
    [N, rows, cols / 32, 16] and scales [N, rows, cols / 32], both uint8."""
    n, rows, cols = w.shape
    g = w.reshape(n, rows, cols // 32, 32)
    amax = g.abs().amax(dim=-1).clamp(min=1e-30)
    exp = torch.ceil(torch.log2(amax / 6.0)).to(torch.int32)
    lut = torch.tensor(FP4_VALUES)
    scaled = g / torch.ldexp(torch.ones_like(amax), exp)[..., None]
    idx = (scaled[..., None] - lut).abs().argmin(dim=-1).to(torch.uint8)
    blocks = idx[..., 0::2] | (idx[..., 1::2] << 4)
    return blocks.contiguous(), (exp + 127).to(torch.uint8).contiguous()


def saved_tensors(out):
    """The tensors `save_pretrained` wrote to OUT/model.safetensors, by name."""
    from safetensors import safe_open
    with safe_open(os.path.join(out, "model.safetensors"), "pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}


def save_quantized(out, tensors, quantization_config):
    """Writes the quantized tensors over OUT/model.safetensors and their quantization_config into
    OUT/config.json."""
    save_file(tensors, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    cfg_path = os.path.join(out, "config.json")
    cfg = json.load(open(cfg_path))
    cfg["quantization_config"] = quantization_config
    json.dump(cfg, open(cfg_path, "w"), indent=2, sort_keys=True)


def quantize(model, out, fmt):
    return quantize_mxfp4(model, out) if fmt == "mxfp4" else quantize_fp8(model, out)


def quantize_fp8(model, out):
    """Replaces the routed and shared experts' weights of the saved model by their FP8 form, and the
    float model's weights by what transformers' reference dequantizer
    (integrations.finegrained_fp8._dequantize_fp8_weight) makes of it, so that the captured outputs
    are those of the quantized checkpoint."""
    from transformers.integrations.finegrained_fp8 import _dequantize_fp8_weight
    stored, params = saved_tensors(out), dict(model.named_parameters())
    quantized = {}
    for name, w in stored.items():
        if re.search(r"\.mlp\.(experts\.\d+|shared_experts)\.(gate|up|down)_proj\.weight$", name):
            q, scale = fp8_quantize(w, FP8_BLOCK)
            quantized[name], quantized[name + "_scale_inv"] = q, scale
            deq = _dequantize_fp8_weight(q, scale, FP8_BLOCK, torch.float32)
            m = re.match(r"(.*\.mlp)\.experts\.(\d+)\.(gate|up|down)_proj\.weight$", name)
            with torch.no_grad():
                if m:  # transformers keeps the experts fused: gate_up_proj [N, 2I, d], down_proj [N, d, I]
                    e, proj = int(m.group(2)), m.group(3)
                    if proj == "down":
                        params[m.group(1) + ".experts.down_proj"][e].copy_(deq)
                    else:
                        half = params[m.group(1) + ".experts.gate_up_proj"].shape[1] // 2
                        rows = slice(0, half) if proj == "gate" else slice(half, 2 * half)
                        params[m.group(1) + ".experts.gate_up_proj"][e, rows].copy_(deq)
                else:
                    params[name].copy_(deq)
        else:
            quantized[name] = w
    save_quantized(out, quantized, {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
                                    "weight_block_size": FP8_BLOCK})


def quantize_mxfp4(model, out):
    """Replaces gpt-oss's expert weights by MXFP4 `_blocks`/`_scales` on disk, and the float model's
    by what transformers' reference dequantizer (integrations.mxfp4._convert_moe_packed_tensors)
    makes of them."""
    from transformers.integrations.mxfp4 import _convert_moe_packed_tensors
    stored, params = saved_tensors(out), dict(model.named_parameters())
    quantized = {}
    for name, w in stored.items():
        if name.endswith(".experts.gate_up_proj") or name.endswith(".experts.down_proj"):
            # On the hub the packed rows are the output units: the transpose of transformers' [N, in, out].
            blocks, scales = mxfp4_quantize(w.transpose(1, 2).contiguous())
            quantized[name + "_blocks"], quantized[name + "_scales"] = blocks, scales
            with torch.no_grad():
                params[name].copy_(_convert_moe_packed_tensors(blocks, scales, dtype=torch.float32))
        else:
            quantized[name] = w
    save_quantized(out, quantized, {"modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router",
                                                               "model.embed_tokens", "lm_head"], "quant_method": "mxfp4"})


def write(family, seed=1):
    base, fmt = QUANTIZED.get(family, (family, None))
    model = build(base, seed, SIZES.get(family))
    out = os.path.join(ROOT, family)
    shutil.rmtree(out, ignore_errors=True)
    model.save_pretrained(out)
    for extra in ("generation_config.json",):
        if os.path.exists(os.path.join(out, extra)):
            os.remove(os.path.join(out, extra))
    if fmt:
        quantize(model, out, fmt)
    tokens = torch.randint(0, model.config.vocab_size, (1, TOKENS), generator=torch.Generator().manual_seed(seed))
    blocks = capture(model, tokens)
    tensors = {}
    for i, b in sorted(blocks.items()):
        tensors[f"layers.{i}.x"] = b["x"].contiguous()
        tensors[f"layers.{i}.moe_out"] = b["y"].contiguous()
        if "topk" in b:
            tensors[f"layers.{i}.topk"] = b["topk"].sort(dim=-1).values.to(torch.int64).contiguous()
    save_file(tensors, os.path.join(out, "inputs.safetensors"),
              metadata={"transformers": transformers.__version__, "torch": torch.__version__,
                        "written_by": "tools/make_hf_fixtures.py", "moe_layers": json.dumps(sorted(blocks))})
    print(f"{family}: MoE layers {sorted(blocks)}, topk {'yes' if all('topk' in b for b in blocks.values()) else 'no'}")


def wrap(wrapper):
    """The text fixture under the wrapper's tensor names, its config as `text_config`."""
    from safetensors import safe_open
    text, rename = WRAPPED[wrapper]
    src, out = os.path.join(ROOT, text), os.path.join(ROOT, wrapper)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with safe_open(os.path.join(src, "model.safetensors"), "pt") as f:
        save_file({rename(k): f.get_tensor(k) for k in f.keys()}, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    shutil.copy(os.path.join(src, "inputs.safetensors"), os.path.join(out, "inputs.safetensors"))
    cfg = json.load(open(os.path.join(src, "config.json")))
    json.dump({"model_type": wrapper, "text_config": cfg}, open(os.path.join(out, "config.json"), "w"), indent=2, sort_keys=True)
    print(f"{wrapper}: {text} under the wrapper's names")


if __name__ == "__main__":
    for family in sys.argv[1:] or list(FAMILIES) + list(QUANTIZED) + list(WRAPPED):
        wrap(family) if family in WRAPPED else write(family)
