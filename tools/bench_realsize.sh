#!/bin/sh
# Real-size streamed crosscheck against its PyTorch peer (docs/performance.md, "Real-size models").
#
#   tools/bench_realsize.sh [mixtral|deepseek-v2|deepseek-v3] [DIR]
#
# Writes a random layer (BF16; deepseek-v3: FP8 as released) of that size in the hub layout to DIR (default
# /tmp/analyze-realsize-SHAPE; nothing in the repository), then prints wall time and peak
# resident memory (getrusage) of:
#   1. analyze crosscheck --model DIR --layer 0 on 8 tokens, excess-rank test on 2 (release build);
#   2. the PyTorch peer doing the same work (tools/bench_realsize.py peer);
#   3. the curve: analyze on 1, 2, 8, 32, 64 tokens without the Jacobian test.
set -eu
shape=${1:-mixtral}
dir=${2:-/tmp/analyze-realsize-$shape}
py=${PYTHON:-/opt/venv/bin/python}
cd "$(dirname "$0")/.."
[ -f "$dir/config.json" ] || "$py" tools/bench_realsize.py write "$dir" --shape "$shape"
swift build -c release --product analyze >/dev/null
bin=.build/release/analyze
echo "== $shape: crosscheck on 8 tokens, excess rank on 2"
"$py" tools/bench_realsize.py time -- "$bin" crosscheck --model "$dir" --layer 0 \
    --inputs "$dir/inputs-8.safetensors" --jacobian-tokens 2 --format json >"$dir/analyze-8.json"
if [ "$shape" = deepseek-v3 ]; then
    echo "== PyTorch peer: not run for deepseek-v3 (the peer reads BF16 experts only, no FP8 block scales)"
else
    echo "== PyTorch peer, same tokens and work"
    "$py" tools/bench_realsize.py time -- "$py" tools/bench_realsize.py peer "$dir" --tokens 8 --jacobian-tokens 2
fi
for t in 1 2 8 32 64; do
    echo "== $t tokens, no Jacobian test"
    "$py" tools/bench_realsize.py time -- "$bin" crosscheck --model "$dir" --layer 0 \
        --inputs "$dir/inputs-$t.safetensors" --jacobian-tokens 0 --format json >"$dir/analyze-curve-$t.json"
    grep -o '"experts_read" *: *[0-9]*' "$dir/analyze-curve-$t.json"
done
