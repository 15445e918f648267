#!/usr/bin/env bash
# Benchmark: `analyze dags` in release.
#  1. Enumerates all 3,781,503 labeled DAGs at k = 6 (with the census: longest path, edges,
#     filter) and prints DAGs per second; then runs every count family at k = 6, each of
#     which must print "equal" against the recurrence of `analyze count`.
#  2. Canonical forms (isomorphism classes) at k = 6 and k = 7, checked against the cycle index.
#  3. Times the exact unlabeled counts for n = 0…20 and n = 0…40 (`--sequence`).
# Usage: tools/bench_dags.sh     Environment: BIN=path/to/analyze to skip the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
    swift build -c release --product analyze >/dev/null
    BIN=.build/release/analyze
fi
now() { date +%s.%N; }
seconds() { echo "$(now) - $1" | bc; }

start=$(now)
"$BIN" dags --k 6 >/dev/null
s=$(seconds "$start")
printf 'enumerate k=6: 3781503 labeled DAGs in %.3f s = %.1f million DAGs/s (whole command)\n' \
    "$s" "$(echo "3.781503 / $s" | bc -l)"

for filter in "" --one-sink --one-source --connected "--max-depth 1" "--max-depth 2" "--max-depth 3" "--max-depth 4"; do
    # shellcheck disable=SC2086
    line=$("$BIN" dags --k 6 $filter | sed -n 2p)
    printf 'k=6 %-13s %s\n' "${filter:-(all)}" "$line"
    [[ "$line" == *", equal" ]] || { echo "MISMATCH" >&2; exit 1; }
done

for k in 6 7; do
    start=$(now)
    line=$("$BIN" dags --k "$k" --classes | sed -n 2p)
    printf 'classes k=%s: %.3f s  %s\n' "$k" "$(seconds "$start")" "$line"
    [[ "$line" == *", equal" ]] || { echo "MISMATCH" >&2; exit 1; }
done

for k in 20 40; do
    start=$(now)
    "$BIN" dags --k "$k" --sequence >/dev/null
    printf 'unlabeled counts n=0…%s: %.3f s\n' "$k" "$(seconds "$start")"
done
