#!/usr/bin/env bash
# Benchmark: one DAG-MoE layer, forward + backward in Float32, `analyze bench` against the
# PyTorch peer tools/bench_layer.py at the same shape and thread count, at the two shapes of
# docs/performance.md (or at the shape given as `analyze bench` flags), in interleaved rounds
# (Swift, then PyTorch, --rounds times), printing the median, the spread of each side and
# the ratio; when a side's figures vary by more than 20% across rounds (a loaded machine;
# PyTorch's OpenMP workers with two threads on two busy cores) a caveat line says the ratio
# reflects the load, not the implementations.
# Usage: tools/bench_layer.sh [--threads N] [--repeats R] [--rounds M]   (both standard shapes)
#        tools/bench_layer.sh --d 128 --n 8 --k 2 --d-ff 256 --d-g 32 --depth 2 --tokens 512
# Needs python with torch (PYTHON, default python3). Environment: BIN=path/to/analyze to skip
# the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
    swift build -c release --product analyze >/dev/null
    BIN=.build/release/analyze
fi
python=${PYTHON:-python3}
threads=$(nproc)
rounds=3
common=()
shape=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --repeats|--warmup) common+=("$1" "$2"); shift 2 ;;
        *) shape+=("$1" "$2"); shift 2 ;;
    esac
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
run() {
    local figures=()
    for ((r = 1; r <= rounds; r++)); do
        "$BIN" bench "$@" --threads "$threads" ${common[@]+"${common[@]}"} --format json > "$scratch/swift-$r.json"
        "$python" tools/bench_layer.py "$@" --threads "$threads" ${common[@]+"${common[@]}"} --out "$scratch/peer-$r.json" >/dev/null
        figures+=("$scratch/swift-$r.json" "$scratch/peer-$r.json")
    done
    "$python" - "${figures[@]}" <<'PY'
import json, statistics, sys
files = sys.argv[1:]
swift = [json.load(open(f)) for f in files[0::2]]
peer = [json.load(open(f)) for f in files[1::2]]
s = [x["tokens_per_s"] for x in swift]
p = [x["tokens_per_s"] for x in peer]
first = swift[0]
print(f"layer d={first['d']} N={first['n']} K={first['k']} d_ff={first['d_ff']} d_g={first['d_g']} "
      f"L={first['depth']} T={first['tokens']}, {first['threads']} thread(s), kernel {first['kernel']}, "
      f"{len(s)} interleaved round(s)")
def line(name, xs):
    spread = (max(xs) - min(xs)) / statistics.median(xs)
    print(f"{name:8} {statistics.median(xs):12,.0f} tokens/s median  (rounds: "
          + ", ".join(f"{x:,.0f}" for x in xs) + f"; spread {100 * spread:.0f}%)")
    return spread
spreads = [line("swift", s), line(peer[0].get("impl", "peer")[:8], p)]
ratios = [a / b for a, b in zip(s, p)]
print(f"ratio    {statistics.median(s) / statistics.median(p):.2f}x (swift / peer, medians; "
      f"per round {min(ratios):.2f}-{max(ratios):.2f}x)")
print(f"check    Float32 vs Float64: {'ok' if all(x['check']['ok'] for x in swift) else 'FAIL'}")
if max(spreads) > 0.2:
    print(f"caveat   figures vary by up to {100 * max(spreads):.0f}% across rounds: the machine is loaded"
          + (" and with several threads PyTorch's OpenMP workers spin against it" if first["threads"] > 1 else "")
          + "; the ratio reflects the load, not the implementations (docs/performance.md)")
PY
    echo
}
if [[ ${#shape[@]} -gt 0 ]]; then
    run "${shape[@]}"
else
    run --d 256 --n 16 --k 4 --d-ff 512 --d-g 64 --depth 2 --tokens 1024
    run --d 64 --n 8 --k 2 --d-ff 128 --d-g 16 --depth 2 --tokens 256
fi
