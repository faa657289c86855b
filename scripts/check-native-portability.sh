#!/usr/bin/env bash
# Issue 19, item 5: the native engine builds for Linux x86-64 with gcc and with clang, and for
# Windows x86-64 with mingw-w64, warnings as errors; CI runs it (.ci/run). Needs cmake, g++, clang
# and g++-mingw-w64-x86-64-posix (scripts/install-deps.sh --portability). The Gloo plugin is built
# where Gloo is found (Linux); the Windows build has the engine alone.
set -euo pipefail
cd "$(dirname "$0")/.."
native=src/SeqClassify.Torch/native
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
build() {  # name, cmake arguments...
  local name=$1; shift
  echo "== $name"
  cmake -S $native -B "$out/$name" -DCMAKE_BUILD_TYPE=Release "$@" >"$out/$name.log" 2>&1 || { cat "$out/$name.log"; exit 1; }
  cmake --build "$out/$name" --parallel >>"$out/$name.log" 2>&1 || { tail -50 "$out/$name.log"; exit 1; }
  ls "$out/$name" | grep -E '\.(so|dll)$'
}
build linux-x64-gcc -DCMAKE_CXX_COMPILER=g++
build linux-x64-clang -DCMAKE_CXX_COMPILER=clang++
build win-x64-mingw -DCMAKE_TOOLCHAIN_FILE="$PWD/$native/cmake/mingw-w64-x86_64.cmake"
# What the Windows library imports: Windows' own DLLs only (no libstdc++ or winpthread DLL to ship).
x86_64-w64-mingw32-objdump -p "$out/win-x64-mingw/seqclassify_native.dll" | grep 'DLL Name' | sort -u
