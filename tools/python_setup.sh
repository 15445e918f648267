#!/usr/bin/env bash
# Sets up the Python side (python/dagmoe) from scratch and runs its pytest suite.
#
#   tools/python_setup.sh [VENV]      default VENV: .venv in the repository (git ignores it)
#
# Creates VENV with $PYTHON (default python3) unless it exists, installs CPU torch from the
# PyTorch index (from PyPI when that index is unreachable) unless VENV already imports torch, then `pip install ./python[test]` (torch,
# safetensors, pytest) and runs `pytest` in python/. With .build/debug/analyze built
# (`swift build`), the suite also runs `analyze crosscheck` on a layer it trains.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-$root/.venv}
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    if ! "$venv/bin/python" -m pip install --retries 1 --timeout 20 --index-url https://download.pytorch.org/whl/cpu torch; then
        echo "python_setup: the PyTorch CPU index is unreachable; installing torch from PyPI (a larger wheel)" >&2
        "$venv/bin/python" -m pip install torch
    fi
fi
"$venv/bin/python" -m pip install "$root/python[test]"
cd "$root/python"
OMP_NUM_THREADS=1 "$venv/bin/python" -m pytest -q
