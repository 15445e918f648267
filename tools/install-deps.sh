#!/usr/bin/env bash
# Installs the system packages analyze builds against, skipping those already present:
# GMP (exact integers), LAPACKE and OpenBLAS (linear algebra), pkg-config (to find them).
set -euo pipefail
packages=(libgmp-dev liblapacke-dev libopenblas-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
