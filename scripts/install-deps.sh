#!/usr/bin/env bash
# Installs the system packages SeqClassify builds and runs with on Debian 12 (run as root).
# libtorch-dev: the engine (PyTorch 1.13's C++ library); cmake, g++: the native shim;
# libopenblas0-pthread: the BLAS Debian's libtorch calls; libgloo-dev: the headers of Gloo, which
# libtorch's c10d (distributed training) is built on (its code is in libtorch already).
# With --reference it also installs what the benchmarks' references need (python3-torch, fasttext).
set -euo pipefail
packages=(libtorch-dev cmake g++ libopenblas0-pthread libgloo-dev)
if [[ "${1:-}" == "--reference" ]]; then
  packages+=(python3-torch fasttext)
fi
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  echo "system packages already installed: ${packages[*]}"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
