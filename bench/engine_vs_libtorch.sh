#!/usr/bin/env bash
# Issue 19, item 2: the engine without libtorch against the last build whose engine was libtorch
# (commit 1ad6855), on the same machine and in the same harness run, each against PyTorch:
#   - the reference GRU on IMDB's first 5,000 training rows (one epoch; prediction over the test split),
#   - the Transformer (transformer-reference) on SST-2's first 20,000 phrases.
# Usage: bash bench/engine_vs_libtorch.sh [REV]
# Building REV needs what it needed then (scripts/install-deps.sh of that commit: libtorch-dev,
# libgloo-dev); PyTorch is Debian's python3-torch. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-1ad6855}
# Beside this checkout, so that its build finds ../shared as this one does.
other="$(cd .. && pwd)/seqclassify-$rev"
[ -d "$other" ] || git worktree add --detach "$other" "$rev"
(cd "$other" && dotnet build -c Release bench/SeqClassify.Bench -v quiet)
dotnet build -c Release bench/SeqClassify.Bench -v quiet
worker="$other/bench/SeqClassify.Bench/bin/Release/net10.0/seqclassify-bench.dll"
run() {
  dotnet run -c Release --no-build --project bench/SeqClassify.Bench -- run --threads 2 --no-fasttext \
    --compare-worker "$worker" --compare-name "libtorch build $rev" "$@"
}
run --dataset imdb --epochs 1 --max-train 5000 --min-freq 10 --configurations reference \
  --out bench/results/engine-vs-libtorch-imdb-5000
run --dataset sst2 --epochs 1 --max-train 20000 --configurations transformer-reference \
  --out bench/results/engine-vs-libtorch-sst2-transformer
