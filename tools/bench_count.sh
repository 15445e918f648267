#!/usr/bin/env bash
# Benchmark: `analyze count` at k = 500 and k = 1000 against the same labeled-DAG
# recurrence in Python (gmpy2 when installed, plain ints otherwise), in one run.
# Usage: tools/bench_count.sh            (prints one line per k and the ratio)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product analyze >/dev/null
bin=.build/release/analyze
now() { date +%s.%N; }
for k in 500 1000; do
    start=$(now)
    "$bin" count --n "$k" --k "$k" --format json >/dev/null
    swift_s=$(echo "$(now) - $start" | bc)
    start=$(now)
    peer=$(python3 tools/labeled_dags_reference.py "$k")
    python_s=$(echo "$(now) - $start" | bc)
    backend=${peer%% *}
    printf 'k=%-5s analyze count (whole command): %6.2f s   %s recurrence: %6.2f s   ratio %.2fx\n' \
        "$k" "$swift_s" "$backend" "$python_s" "$(echo "$python_s / $swift_s" | bc -l)"
done
