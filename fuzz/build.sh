#!/usr/bin/env bash
# Builds the libFuzzer harnesses (with AddressSanitizer) into fuzz/.build-fuzz/.
#
# Usage: fuzz/build.sh [safetensors|notebook|notebookpaths]...   (all when none is named)
#
# Each harness is compiled with swiftc as one module together with the sources it
# exercises, so it needs nothing from SwiftPM and sees internal names.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/fuzz/.build-fuzz"
mkdir -p "$out"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6)

sources() {
    case "$1" in
    safetensors)
        echo "$root/fuzz/SafeTensorsFuzz.swift"
        # The readers and what they use (Checkpoint's files that need neither MoE nor LinearAlgebra).
        for f in SafeTensorsFile SafeTensorsHeader LazySafeTensorsFile ByteSource HeaderJSON CheckpointError SafeTensorsDType; do
            [ -f "$root/Sources/Checkpoint/$f.swift" ] && echo "$root/Sources/Checkpoint/$f.swift"
        done ;;
    notebook)
        echo "$root/fuzz/NotebookFuzz.swift"
        ls "$root"/Sources/Notebook/*.swift ;;
    notebookpaths)
        echo "$root/fuzz/NotebookPathsFuzz.swift"
        ls "$root"/Sources/Notebook/*.swift ;;
    *) echo "unknown harness '$1' (known: safetensors, notebook, notebookpaths)" >&2; exit 2 ;;
    esac
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors notebook notebookpaths)
for t in "${targets[@]}"; do
    mapfile -t files < <(sources "$t")
    echo "building $out/$t-fuzzer" >&2
    # ld.gold warns once per ASan helper symbol it cannot export; nothing to act on.
    swiftc "${flags[@]}" -module-name "Fuzz_$t" "${files[@]}" -o "$out/$t-fuzzer" \
        2> >(grep -v "Cannot export local symbol" >&2)
done
