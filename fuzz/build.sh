#!/usr/bin/env bash
# Builds the libFuzzer harnesses (with AddressSanitizer) into fuzz/.build-fuzz/.
#
# Usage: fuzz/build.sh [safetensors|model|notebook|notebookpaths]...   (all when none is named)
#
# Each harness is compiled with swiftc as one module together with the sources it
# exercises, so it needs nothing from SwiftPM and sees internal names. The model harness
# needs LinearAlgebra and MoE, the notebook harnesses OutputFiles, built first as static
# libraries (AddressSanitizer, no fuzzer coverage) into fuzz/.build-fuzz/modules/.
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
        for f in SafeTensorsFile SafeTensorsHeader TensorDecoder ByteSource HeaderJSON CheckpointError SafeTensorsDType TerminalText; do
            [ -f "$root/Sources/Checkpoint/$f.swift" ] && echo "$root/Sources/Checkpoint/$f.swift"
        done ;;
    model)
        echo "$root/fuzz/ModelFuzz.swift"
        ls "$root"/Sources/Checkpoint/*.swift ;;
    notebook)
        echo "$root/fuzz/NotebookFuzz.swift"
        ls "$root"/Sources/Notebook/*.swift ;;
    notebookpaths)
        echo "$root/fuzz/NotebookPathsFuzz.swift"
        ls "$root"/Sources/Notebook/*.swift ;;
    *) echo "unknown harness '$1' (known: safetensors, model, notebook, notebookpaths)" >&2; exit 2 ;;
    esac
}

# Libraries as static libraries with their modules: LinearAlgebra, MoE, BigInt and Report for
# the model harness, OutputFiles (Cleanup) for the notebook harnesses.
modules="$out/modules"
build_libraries() {
    mkdir -p "$modules"
    for lib in "$@"; do
        # Up to date when no source is newer than the library.
        if [ -f "$modules/lib$lib.a" ] && [ -z "$(find "$root/Sources/$lib" -newer "$modules/lib$lib.a" -name '*.swift')" ]; then
            continue
        fi
        echo "building $modules/lib$lib.a" >&2
        swiftc -sanitize=address -parse-as-library -O -g -swift-version 6 -I "$root/Sources/CLAPACK" -I "$root/Sources/CGMP" -I "$modules" \
            -emit-library -static -emit-module -module-name "$lib" -emit-module-path "$modules/$lib.swiftmodule" \
            "$root"/Sources/"$lib"/*.swift -o "$modules/lib$lib.a"
    done
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors model notebook notebookpaths)
for t in "${targets[@]}"; do
    mapfile -t files < <(sources "$t")
    extra=()
    if [ "$t" = model ]; then
        build_libraries LinearAlgebra MoE BigInt Report
        extra=(-I "$root/Sources/CLAPACK" -I "$root/Sources/CGMP" -I "$modules" -L "$modules" -lMoE -lLinearAlgebra -lReport -lBigInt
               -llapacke -lopenblas -lgmp)
    elif [ "$t" = notebook ] || [ "$t" = notebookpaths ]; then
        build_libraries OutputFiles
        extra=(-I "$modules" -L "$modules" -lOutputFiles)
    fi
    echo "building $out/$t-fuzzer" >&2
    # ld.gold warns once per ASan helper symbol it cannot export; nothing to act on.
    swiftc "${flags[@]}" -module-name "Fuzz_$t" "${files[@]}" "${extra[@]}" -o "$out/$t-fuzzer" \
        2> >(grep -v "Cannot export local symbol" >&2)
done
