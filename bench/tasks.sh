#!/usr/bin/env bash
# Issue 31, item 6: a task beyond one label, trained with SeqClassify's CLI and with
# ../shared/reference/torch_bert_finetune.py on the same rows with the same recipe (the fine-tuning recipe of
# SequenceClassificationOptions.FineTuning: mean pooling, lr 5e-5 warmed up over 6% then linear to 0, 3 epochs
# of 32, AdamW weight decay 0.01 except biases and LayerNorm, clipping at 1, dropout 0.1, 128 ids), then
# scored on the dev split; one after the other, same threads, nothing else running; one JSON line each into OUT.
# SeqClassify standardizes a regression's targets (the reference trains on them as they are, as Hugging Face does).
# Usage: bench/tasks.sh TASK OUT [EPOCHS] [THREADS] [MODEL]
#   TASK stsb (sentence-pair regression: Pearson and Spearman on dev) | stsb-rnn (SeqClassify's default RNN, its
#   embedding from scratch, the two sentences joined, no reference) | goemotions (multi-label: macro/micro F1 on dev; SeqClassify holds
#   out 5% of the training rows to choose each label's threshold, the reference predicts from 0.5) |
#   goemotions-rnn; "ours" or "torch" in $ONLY runs one side; $MAX_TRAIN: the first N training rows (both sides);
#   $SEED seeds both (default: each its own, SeqClassify 1 and the reference 42).
set -euo pipefail
cd "$(dirname "$0")/.."
task=$1 out=$2 epochs=${3:-3} threads=${4:-2}
model=${5:-../shared/models/all-MiniLM-L6-v2}
only=${ONLY:-both}
# A copy of the build, so that rebuilding the tree during a long run changes nothing in it.
bin=$(mktemp -d)
scratch=$(mktemp -d)
trap 'rm -rf "$bin" "$scratch"' EXIT
dotnet build -c Release src/SeqClassify.Cli >/dev/null
cp -r src/SeqClassify.Cli/bin/Release/net10.0/. "$bin"
cli() { dotnet "$bin/seqclassify.dll" "$@"; }
lscpu | grep -m1 "Model name" >&2
stsb=../shared/datasets/stsb
goemotions=../shared/datasets/goemotions
max_train=${MAX_TRAIN:-0}
seed=()
[ -n "${SEED:-}" ] && seed=(--seed "$SEED")
train_file=$stsb/train.tsv dev_file=$stsb/dev.tsv
valid=(--valid-fraction 0)
case $task in
  stsb)
    ours_train=(--text-column sentence1 --pair-column sentence2 --label-column score --task regression --pretrained-model "$model")
    ours_eval=(--text-column sentence1 --pair-column sentence2 --label-column score)
    torch_args=(--train $stsb/train.tsv --test $stsb/dev.tsv --format tsv --text-col sentence1 --pair-col sentence2 --label-col score --task regression) ;;
  stsb-rnn)
    only=ours
    ours_train=(--text-column sentence1 --text-column sentence2 --label-column score --task regression --pretrained none)
    ours_eval=(--text-column sentence1 --text-column sentence2 --label-column score) ;;
  goemotions|goemotions-rnn)
    train_file=$goemotions/train.tsv dev_file=$goemotions/dev.tsv
    valid=()
    ours_train=(--text-column text --label-column labels --task multilabel)
    [ "$task" = goemotions ] && ours_train+=(--pretrained-model "$model")
    # The default RNN, its embedding from scratch (GloVe is fetched from the internet, which this machine cannot reach).
    [ "$task" = goemotions-rnn ] && only=ours && ours_train+=(--pretrained none)
    ours_eval=(--text-column text --label-column labels)
    torch_args=(--train $goemotions/train.tsv --test $goemotions/dev.tsv --format tsv --text-col text --label-col labels --task multilabel) ;;
  *) echo "tasks.sh: unknown task $task" >&2; exit 2 ;;
esac
# The first MAX_TRAIN rows (header kept) for both sides.
if [ "$max_train" -gt 0 ]; then
  head -n $((max_train + 1)) "$train_file" > "$scratch/train.tsv"
  train_file=$scratch/train.tsv
fi
if [ "$only" != torch ]; then
  echo "seqclassify: $task, $epochs epochs" >&2
  start=$(date +%s.%N)
  cli train --train "$train_file" "${ours_train[@]}" --epochs "$epochs" --threads "$threads" "${valid[@]}" "${seed[@]}" --out "$scratch/model.zip" >&2
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  cli evaluate --model "$scratch/model.zip" --data "$dev_file" "${ours_eval[@]}" --json \
    | sed "s/^{/{\"system\":\"seqclassify\",\"task\":\"$task\",\"epochs\":$epochs,\"max_train\":$max_train,\"seed\":\"${SEED:-}\",\"train_seconds\":$seconds,/" >> "$out"
fi
if [ "$only" != ours ]; then
  echo "pytorch: $task, $epochs epochs" >&2
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 ../shared/reference/torch_bert_finetune.py --model "$model" "${torch_args[@]}" \
    --max-train "$max_train" --epochs "$epochs" --threads "$threads" --pooling mean --lr 5e-5 --log-every 0 "${seed[@]}" | tail -1 \
    | sed "s/^{/{\"system\":\"pytorch\",\"task\":\"$task\",\"max_train\":$max_train,/" >> "$out"
fi
