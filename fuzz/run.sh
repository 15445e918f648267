#!/usr/bin/env bash
# Runs one libFuzzer harness built by fuzz/build.sh.
#
# Usage: fuzz/run.sh safetensors|model|notebook [seconds, default 600] [extra libFuzzer flags...]
#
# New inputs go to fuzz/.build-fuzz/work/<name>/ (the committed seeds in fuzz/corpus/<name>/
# are only read); crashes, timeouts and out-of-memory inputs to fuzz/.build-fuzz/artifacts/<name>/;
# the log, ending in libFuzzer's final statistics, to fuzz/.build-fuzz/<name>.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="${1:?usage: fuzz/run.sh safetensors|model|notebook [seconds] [flags...]}"
seconds="${2:-600}"
shift $(( $# >= 2 ? 2 : 1 ))
out="$here/.build-fuzz"
[ -x "$out/$name-fuzzer" ] || "$here/build.sh" "$name"
mkdir -p "$out/work/$name" "$out/artifacts/$name"
# Swift's crash handler reads freed memory while it backtraces, which ASan would report
# instead of the real failure; libFuzzer prints its own stack.
export SWIFT_BACKTRACE=enable=no
# Known leaks outside this project (see the file).
export LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
"$out/$name-fuzzer" -dict="$here/$name.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=8192 -print_final_stats=1 -artifact_prefix="$out/artifacts/$name/" "$@" \
    "$out/work/$name" "$here/corpus/$name" 2>&1 | tee "$out/$name.log" | grep -E "^#[0-9]+.*(pulse|DONE)|^stat::|ERROR|SUMMARY|Test unit" || true
