#!/usr/bin/env bash
# Issue 21, item 7 (IMDB): the fine-tuned pretrained encoder (first 512 WordPiece ids of each review,
# the default recipe), the default RNN (the CLI's defaults) and fastText (../shared/reference), each
# trained on the same first MAX_TRAIN reviews of train.csv (its labels alternate: balanced) and tested
# on all 25,000 reviews of test.csv. One JSON line per model into OUT. The fine-tune takes hours here
# (MAX_TRAIN 4000: about 1.5 h on 2 cores); ONLY=pretrained|baselines runs one part.
# Usage: bench/pretrained-imdb.sh OUT [MAX_TRAIN] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 max_train=${2:-4000} threads=${3:-2}
only=${ONLY:-all}
imdb=../shared/datasets/imdb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release bench/SeqClassify.Bench >/dev/null
dotnet build -c Release src/SeqClassify.Cli >/dev/null
lscpu | grep -m1 "Model name" >&2
if [ "$only" != baselines ]; then
  echo "pretrained: first $max_train reviews, 3 epochs, 512 ids" >&2
  dotnet bench/SeqClassify.Bench/bin/Release/net10.0/seqclassify-bench.dll pretrained --dataset imdb --max-train "$max_train" --epochs 3 \
    --max-len 512 --threads "$threads" | tail -1 | sed 's/^{/{"dataset":"imdb",/' >> "$out"
fi
if [ "$only" != pretrained ]; then
  # The first MAX_TRAIN reviews as a CSV the three read alike (quoted, multi-line).
  /usr/bin/python3 -c "
import csv, sys
csv.field_size_limit(10**9)
rows = list(csv.reader(open('$imdb/train.csv', newline='')))
csv.writer(open('$work/train.csv', 'w', newline='')).writerows(rows[:$max_train + 1])"
  cli=src/SeqClassify.Cli/bin/Release/net10.0/seqclassify.dll
  echo "default RNN: first $max_train reviews" >&2
  dotnet "$cli" train --train "$work/train.csv" --text-column text --label-column label --threads "$threads" --out "$work/rnn.zip" >&2
  dotnet "$cli" evaluate --model "$work/rnn.zip" --data "$imdb/test.csv" --text-column text --label-column label --json \
    | /usr/bin/python3 -c "import json, sys; m = json.load(sys.stdin); print(json.dumps({'dataset': 'imdb', 'model': 'default RNN (CLI defaults)', 'train_rows': $max_train, 'test_accuracy': round(m['microAccuracy'], 4)}))" >> "$out"
  echo "fastText: first $max_train reviews" >&2
  /usr/bin/python3 ../shared/reference/fasttext_reference.py "$work/train.csv" "$imdb/test.csv" --format csv --text-col text --label-col label --threads "$threads" \
    | tail -1 | sed "s/^{/{\"dataset\":\"imdb\",\"model\":\"fastText (reference)\",\"train_rows\":$max_train,/" >> "$out"
fi
cat "$out"
