#!/usr/bin/env bash
# The test suite under sanitizers, and valgrind on a short `analyze count` (docs/hardening.md).
#
# Usage: tools/sanitize.sh [address|undefined|valgrind]...   (all three when none is named)
#
#   address    swift test -Xswiftc -sanitize=address (AddressSanitizer on all Swift code)
#   undefined  swift test -Xcc -fsanitize=undefined: swiftc has no -sanitize=undefined on
#              Linux (Swift traps on overflow and out-of-bounds by itself); this instruments
#              the C code compiled into the build, the static inline GMP and LAPACK shims,
#              and links clang's UBSan runtime; the first report aborts the run.
#   valgrind   memcheck on `analyze count --n 64 --k 16` (release build); prints the
#              "definitely lost" bytes, which must be 0.
#
# Each sanitizer builds in its own scratch directory, ${SANITIZE_SCRATCH:-.build}-asan or -ubsan;
# valgrind uses the plain release build in ${SANITIZE_SCRATCH:-.build}.
# Extra arguments for `swift test` (for example --filter) go in SANITIZE_TEST_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${SANITIZE_SCRATCH:-.build}"
read -r -a test_args <<< "${SANITIZE_TEST_ARGS:-}"
# Swift's crash handler reads freed memory while it backtraces, which ASan would report in
# place of the real failure.
export SWIFT_BACKTRACE=enable=no

# Leaks in the toolchain's libraries, each reproduced by a few lines outside this project
# (docs/hardening.md); LeakSanitizer still reports every other leak.
toolchain_leaks() {
    cat <<'SUPP'
# XCTest's runner keeps its suite objects (no XCTest tests here; it runs first anyway).
leak:libXCTest.so
# swift-foundation: Data(contentsOf:) of an empty file leaks a 4 KB buffer.
leak:readBytesFromFile
# swift-corelibs-foundation: Process.run leaks a 32-byte weak-reference side table.
leak:10Foundation7ProcessC3run
# swift-corelibs-foundation: a long pattern NSRegularExpression rejects leaks its UTF-16 copy.
leak:_CFRegularExpressionCreate
SUPP
}

address() {
    local supp status=0
    supp="$(mktemp)"
    toolchain_leaks > "$supp"
    LSAN_OPTIONS="suppressions=$supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
        swift test --scratch-path "$prefix-asan" -Xswiftc -sanitize=address "${test_args[@]}" || status=$?
    rm -f "$supp"
    return "$status"
}

undefined() {
    local swiftc clang_lib runtime
    swiftc="$(readlink -f "$(command -v swiftc)")"
    clang_lib="$(dirname "$swiftc")/../lib/clang"
    runtime="$(ls "$clang_lib"/*/lib/linux/libclang_rt.ubsan_standalone-x86_64.a | head -n 1)"
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}" \
        swift test --scratch-path "$prefix-ubsan" -Xcc -fsanitize=undefined -Xlinker "$runtime" "${test_args[@]}"
}

valgrind_count() {
    swift build -c release --scratch-path "$prefix" --product analyze
    local log status
    log="$(mktemp)"
    # ANALYZE_BLAS_KERNEL=library: no re-exec to pick the BLAS kernel (valgrind would
    # re-execute itself instead of analyze).
    ANALYZE_BLAS_KERNEL=library valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
        "$prefix/release/analyze" count --n 64 --k 16 --format json >/dev/null 2>"$log" || {
        status=$?
        cat "$log" >&2
        echo "valgrind: exit status $status" >&2
        return 1
    }
    grep -E "definitely lost|indirectly lost|possibly lost|ERROR SUMMARY" "$log"
    rm -f "$log"
}

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(address undefined valgrind)
for step in "${steps[@]}"; do
    echo "== $step" >&2
    case "$step" in
    address) address ;;
    undefined) undefined ;;
    valgrind) valgrind_count ;;
    *) echo "unknown step '$step' (known: address, undefined, valgrind)" >&2; exit 2 ;;
    esac
done
