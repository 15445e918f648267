#!/usr/bin/env bash
# Benchmark: one DAG-MoE layer, forward + backward in Float32, `analyze bench` against the
# PyTorch peer tools/bench_layer.py at the same shape and thread count, at the two shapes of
# docs/performance.md (or at the shape given as `analyze bench` flags).
# Usage: tools/bench_layer.sh [--threads N] [--repeats R]             (both standard shapes)
#        tools/bench_layer.sh --d 128 --n 8 --k 2 --d-ff 256 --d-g 32 --depth 2 --tokens 512
# Needs python3 with torch. Environment: BIN=path/to/analyze to skip the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
    swift build -c release --product analyze >/dev/null
    BIN=.build/release/analyze
fi
threads=$(nproc)
common=()
shape=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --repeats|--warmup) common+=("$1" "$2"); shift 2 ;;
        *) shape+=("$1" "$2"); shift 2 ;;
    esac
done
peer=$(mktemp --suffix=.json)
trap 'rm -f "$peer"' EXIT
run() {
    python3 tools/bench_layer.py "$@" --threads "$threads" ${common[@]+"${common[@]}"} --out "$peer" >/dev/null
    "$BIN" bench "$@" --threads "$threads" ${common[@]+"${common[@]}"} --peer "$peer"
    echo
}
if [[ ${#shape[@]} -gt 0 ]]; then
    run "${shape[@]}"
else
    run --d 256 --n 16 --k 4 --d-ff 512 --d-g 64 --depth 2 --tokens 1024
    run --d 64 --n 8 --k 2 --d-ff 128 --d-g 16 --depth 2 --tokens 256
fi
