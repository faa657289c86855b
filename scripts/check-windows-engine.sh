#!/usr/bin/env bash
# Issue 20: the Windows x64 engine (seqclassify_native.dll, cross-compiled with mingw-w64: the DLL
# SeqClassify.Torch packs under runtimes/win-x64/native) runs, and computes what the Linux engine
# computes. The CLI is published for win-x64 (self-contained .NET, the DLL beside it) and run under
# Wine: a GRU and a Transformer trained on Linux predict the same probabilities there (within 1e-5),
# models trained there predict the same on Linux, and a fine-tuned BERT checkpoint imported there
# gives Linux's probabilities. Wine is not Windows: this shows the DLL's code, the C ABI and the
# .NET interop on a Windows runtime, not every Windows version.
# Needs mingw-w64 and wine64 (scripts/install-deps.sh --portability) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$(mktemp -d)
# Wine's server writes into the prefix until it stops: stop it before the prefix goes.
trap '/usr/lib/wine/wineserver -k 2>/dev/null || true; /usr/lib/wine/wineserver -w 2>/dev/null || true; rm -rf "$out"' EXIT
# Wine cannot map .NET's write-xor-execute code pages twice; without this the runtime fails in a finalizer.
export WINEDEBUG=-all WINEPREFIX="$out/wine" DOTNET_EnableWriteXorExecute=0 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
wine=/usr/lib/wine/wine64

echo "== publish the CLI for win-x64, and build it for Linux"
dotnet publish src/SeqClassify.Cli -c Release -r win-x64 --self-contained -p:SeqClassifyWindowsNative=true -o "$out/win" >"$out/publish.log" 2>&1 \
  || { tail -30 "$out/publish.log"; exit 1; }
test -f "$out/win/seqclassify_native.dll" || { echo "the win-x64 publish has no seqclassify_native.dll" >&2; exit 1; }
dotnet build src/SeqClassify.Cli -c Release -o "$out/linux" >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
linux() { dotnet "$out/linux/seqclassify.dll" "$@"; }
windows() { "$wine" "$out/win/seqclassify.exe" "$@"; }
# Wine sees the Linux file system as drive Z:.
w() { echo "Z:$1"; }

head -n 400 ../shared/datasets/sms_spam/SMSSpamCollection > "$out/train.tsv"
sed -n 5001,5100p ../shared/datasets/sms_spam/SMSSpamCollection | cut -f2 > "$out/texts.txt"
same() {  # two predict outputs (JSON lines): the same labels' probabilities within 1e-5
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
assert len(a) == len(b) == 100 or len(a) == len(b) == 2, (len(a), len(b))
worst = max(abs(x["probability"] - {t["label"]: t["probability"] for t in rb["top"]}[x["label"]]) for ra, rb in zip(a, b) for x in ra["top"])
print(f"   {len(a)} rows, largest probability difference {worst:.2e}")
sys.exit(worst > 1e-5)
PY
}

for name in gru transformer; do
  args=(--no-header --text-column 1 --label-column 0 --pretrained none --epochs 2 --valid-fraction 0 --threads 2 --seed 3)
  [ "$name" = transformer ] && args+=(--encoder transformer --layers 2 --heads 2 --hidden 16 --ff-dim 32 --embedding-dim 16 --pooling mean)
  echo "== $name: trained on Linux, predicted on both"
  linux train --train "$out/train.tsv" "${args[@]}" --out "$out/$name-linux.zip" >/dev/null
  linux predict --model "$out/$name-linux.zip" --input "$out/texts.txt" --no-header --text-column 0 --top-k 2 > "$out/a.jsonl"
  windows predict --model "$(w "$out/$name-linux.zip")" --input "$(w "$out/texts.txt")" --no-header --text-column 0 --top-k 2 > "$out/b.jsonl"
  same "$out/a.jsonl" "$out/b.jsonl"
  echo "== $name: trained on Windows (Wine), predicted on both"
  windows train --train "$(w "$out/train.tsv")" "${args[@]}" --out "$(w "$out/$name-windows.zip")" | tail -1
  windows predict --model "$(w "$out/$name-windows.zip")" --input "$(w "$out/texts.txt")" --no-header --text-column 0 --top-k 2 > "$out/a.jsonl"
  linux predict --model "$out/$name-windows.zip" --input "$out/texts.txt" --no-header --text-column 0 --top-k 2 > "$out/b.jsonl"
  same "$out/a.jsonl" "$out/b.jsonl"
done

echo "== a fine-tuned BERT checkpoint imported on Windows (Wine), predicted on both"
checkpoint=$root/tests/SeqClassify.Torch.Tests/Pretrained/tiny-bert-classifier
windows import --pretrained-model "$(w "$checkpoint")" --out "$(w "$out/bert.zip")"
windows predict --model "$(w "$out/bert.zip")" --text "the movie is very good !" --text "awful" --top-k 3 > "$out/a.jsonl"
linux predict --model "$out/bert.zip" --text "the movie is very good !" --text "awful" --top-k 3 > "$out/b.jsonl"
same "$out/a.jsonl" "$out/b.jsonl"
echo "the Windows engine agrees with the Linux engine"
