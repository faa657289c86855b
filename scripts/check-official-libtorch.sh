#!/usr/bin/env bash
# Builds the native shim against a libtorch other than Debian's and checks it against PyTorch, without .NET.
#
#   bash scripts/check-official-libtorch.sh [LIBTORCH_PREFIX] [BUILD_DIR]
#
# LIBTORCH_PREFIX is what `dotnet build -p:TorchCMakePrefixPath=...` takes: an unpacked official libtorch
# (CPU or CUDA) or, by default, the CMake folder inside the python3 on PATH's torch package (a pip-installed
# torch carries a full libtorch). The python3 on PATH must hold the matching torch: the parity check
# compares the shim's logits and gradients with it (scripts/native_parity_check.py).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="${1:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')}"
build="${2:-${TMPDIR:-/tmp}/seqclassify-native-official}"

echo "== configure against $prefix"
cmake -S src/SeqClassify.Torch/native -B "$build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
echo "== build"
cmake --build "$build" -j "$(nproc)"
echo "== libraries the shim resolves"
ldd "$build/libseqclassify_native.so" | grep -E 'torch|c10|gomp|cuda' || true
echo "== parity with $(python3 -c 'import torch; print(torch.__version__)')"
python3 scripts/native_parity_check.py "$build/libseqclassify_native.so"
