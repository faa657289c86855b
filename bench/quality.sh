#!/usr/bin/env bash
# Issue 11, item 6: test accuracy of the Transformer (from GloVe and from scratch) and of the GRU with
# attention pooling against the default configuration, on SST-2 (train.tsv -> test.tsv), AG News
# (stratified 80/20 of test.csv) and IMDB (train -> test, 256 tokens), over seeds; one worker run each,
# one after another (2 threads). Writes bench/results/quality.jsonl (one JSON line per run) and prints
# a table (bench/quality_report.py). Takes about an hour on the 2-core machine.
# Usage: bench/quality.sh [SEEDS (default "1 2 3")] [DATASETS (default "sst2 agnews imdb")]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-"1 2 3"}
datasets=${2:-"sst2 agnews imdb"}
dotnet build -c Release bench/SeqClassify.Bench >/dev/null
out=bench/results/quality.jsonl
for dataset in $datasets; do
  maxlen=0; [ "$dataset" = imdb ] && maxlen=256
  for seed in $seeds; do
    for configuration in default transformer transformer-scratch attention; do
      echo "$dataset seed $seed $configuration" >&2
      dotnet bench/SeqClassify.Bench/bin/Release/net10.0/seqclassify-bench.dll worker --dataset "$dataset" --configuration "$configuration" \
        --epochs 5 --threads 2 --min-freq 2 --max-len "$maxlen" --seed "$seed" | tail -1 | sed "s/^{/{\"dataset\":\"$dataset\",/" >> "$out"
    done
  done
done
python3 bench/quality_report.py "$out"
