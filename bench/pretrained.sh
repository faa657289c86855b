#!/usr/bin/env bash
# Issue 21, items 7 and 8: fine-tune a pretrained Hugging Face folder with SeqClassify and with
# ../shared/reference/torch_bert_finetune.py on the same rows with the same recipe (SeqClassify's
# SequenceClassificationOptions.FineTuning: mean pooling, lr 5e-5 warmed up over 6% then linear to 0, 3 epochs
# of 32, AdamW weight decay 0.01 except biases and LayerNorm, clipping at 1, dropout 0.1, 128 ids),
# one after the other, same threads, nothing else running; one JSON line each into OUT.
# Usage: bench/pretrained.sh DATASET MAX_TRAIN EPOCHS OUT [THREADS] [MODEL]
#   DATASET sst2|imdb; MAX_TRAIN 0 = every training row; "ours" or "torch" in $ONLY runs one side;
#   $SEED seeds both (default: each its own, SeqClassify 5 and the reference 42).
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=$1 max_train=$2 epochs=$3 out=$4 threads=${5:-2}
model=${6:-../shared/models/all-MiniLM-L6-v2}
only=${ONLY:-both}
seed=()
[ -n "${SEED:-}" ] && seed=(--seed "$SEED")
# A copy of the build, so that rebuilding the tree during a long run changes nothing in it.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
dotnet build -c Release bench/SeqClassify.Bench >/dev/null
cp -r bench/SeqClassify.Bench/bin/Release/net10.0/. "$bin"
lscpu | grep -m1 "Model name" >&2
case $dataset in
  sst2) files=(--train ../shared/datasets/sst2/train.tsv --test ../shared/datasets/sst2/test.tsv --format tsv --text-col sentence --label-col label) ;;
  imdb) files=(--train ../shared/datasets/imdb/train.csv --test ../shared/datasets/imdb/test.csv --format csv --text-col text --label-col label) ;;
  *) echo "the reference reads sst2 and imdb as the worker does; $dataset: not here" >&2; exit 2 ;;
esac
if [ "$only" != torch ]; then
  echo "seqclassify: $dataset, $max_train rows, $epochs epochs" >&2
  dotnet "$bin/seqclassify-bench.dll" pretrained --model "$model" --dataset "$dataset" --max-train "$max_train" --epochs "$epochs" --threads "$threads" "${seed[@]}" \
    | tail -1 | sed "s/^{/{\"dataset\":\"$dataset\",/" >> "$out"
fi
if [ "$only" != ours ]; then
  echo "pytorch: $dataset, $max_train rows, $epochs epochs" >&2
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 ../shared/reference/torch_bert_finetune.py --model "$model" "${files[@]}" --max-train "$max_train" \
    --epochs "$epochs" --threads "$threads" --pooling mean --lr 5e-5 --log-every 0 "${seed[@]}" | tail -1 | sed "s/^{/{\"dataset\":\"$dataset\",/" >> "$out"
fi
