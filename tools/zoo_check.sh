#!/usr/bin/env bash
# The model zoo against transformers: every committed model fixture directory
# (Tests/CheckpointTests/Fixtures/hf/<model_type>, written by tools/make_hf_fixtures.py with
# transformers' own save_pretrained and forward hooks; Tests/CheckpointTests/Fixtures/models/*,
# written by tools/make_model_fixtures.py) is crosschecked block by block:
# `analyze crosscheck --model DIR --all-layers --inputs DIR/<inputs>` recomputes each MoE block
# from the saved weights and compares it with the captured output (max_rel ≤ 1e-4, identical
# top-k sets) and runs the excess-rank test (verdict weighted-sum; structural for dagmoe_lm). No Python needed.
# Usage: tools/zoo_check.sh        (one line per model, then "N of M blocks reproduced")
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product analyze 2>&1 | grep -E "error|warning" || true
bin=.build/debug/analyze
total=0
good=0
for dir in Tests/CheckpointTests/Fixtures/hf/* Tests/CheckpointTests/Fixtures/models/*; do
    inputs="$dir/inputs.safetensors"
    [ -f "$inputs" ] || inputs="$dir/reference.safetensors"
    out=$("$bin" crosscheck --model "$dir" --all-layers --inputs "$inputs" 2>&1) || true
    # Table rows: layer … verdict … ok (yes/no); a refused model prints one error line instead.
    rows=$(printf '%s\n' "$out" | grep -E '^ +[0-9]+ .* (yes|no)$' || true)
    n=$(printf '%s' "$rows" | grep -c . || true)
    # weighted-sum for the Hugging Face families; structural for dagmoe_lm's stored DAG rounds
    # (an L = 0 layer past its bound reads EXCEEDS, never structural).
    ok=$(printf '%s\n' "$rows" | grep -E '(weighted-sum|structural) .* yes$' | grep -c . || true)
    if [ "$n" -eq 0 ]; then
        printf '%-40s refused: %s\n' "$dir" "$(printf '%s\n' "$out" | tail -1)"
        n=1
    else
        printf '%-40s %s of %s blocks reproduced\n' "$dir" "$ok" "$n"
    fi
    total=$((total + n))
    good=$((good + ok))
done
echo "$good of $total blocks reproduced"
