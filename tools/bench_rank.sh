#!/usr/bin/env bash
# Benchmark: `analyze rank --random 8,64,1 --depth 3` (584 products of 4096 entries) against numpy
# on the same matrices, in one run; prints both times and the ratio. Extra arguments go to
# tools/bench_rank.py (for example --target "7*0" to time the least-squares residuals too).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product analyze >/dev/null
python3 tools/bench_rank.py --binary .build/release/analyze "$@"
