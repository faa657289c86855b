#!/usr/bin/env bash
# Scaling: training time per epoch and peak memory against text length and number of rows, for
# SeqClassify and the PyTorch reference measured in the same harness run at each point (IMDB,
# reference model, one epoch, 2 threads). Writes bench/results/scaling.{md,svg}.
# Lengths: the first 1,000 training rows cut to 64..1024 tokens. Rows: 1,000 and 5,000 here; the
# 25,000 point is the full-split run (imdb-full-e1.json), which takes ~15 minutes on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release bench/SeqClassify.Bench >/dev/null
bench="dotnet bench/SeqClassify.Bench/bin/Release/net10.0/seqclassify-bench.dll run --dataset imdb --epochs 1 --no-fasttext"
for len in 64 128 256 512 1024; do $bench --max-train 1000 --max-len "$len" >/dev/null; done
for rows in 1000 5000; do $bench --max-train "$rows" >/dev/null; done
python3 bench/scaling_report.py bench/results
