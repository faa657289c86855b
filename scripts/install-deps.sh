#!/usr/bin/env bash
# Installs the system packages SeqClassify builds with on Debian 12 (run as root).
# cmake, make, g++: the native engine (it needs nothing else at run time but the C/C++ runtimes);
# libgloo-dev: Gloo's headers and library, for the distributed-training plugin (Gloo, libgloo0, is
# loaded only when distributed training is asked for).
# --reference: also what the benchmarks' references and the PyTorch fixtures need (python3-torch,
# fasttext, and libopenblas0-pthread: without it python3-torch gets Debian's reference netlib BLAS,
# several times slower, and a reference measured so is not best-configured). --portability: also the compilers scripts/check-native-portability.sh builds with
# (clang, mingw-w64 for Windows) and Wine, which scripts/check-windows-engine.sh runs the Windows build in.
set -euo pipefail
packages=(cmake make g++ libgloo-dev)
for flag in "$@"; do
  case "$flag" in
    --reference) packages+=(python3-torch fasttext libopenblas0-pthread) ;;
    --portability) packages+=(clang g++-mingw-w64-x86-64-posix wine64) ;;
    *) echo "usage: $0 [--reference] [--portability]" >&2; exit 2 ;;
  esac
done
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  echo "system packages already installed: ${packages[*]}"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
