#!/usr/bin/env bash
# Issue 23, item 5: the engine against ONNX Runtime (Microsoft.ML.OnnxRuntime's CPU provider) on the
# same exported networks, ids and threads: SST-2's test set in batches, and single rows. One JSON line
# per configuration into OUT, and a Markdown table beside it (OUT with .md).
# Usage: bench/onnx.sh OUT [THREADS] [CONFIGURATIONS]   (default: 2 threads; default,transformer,minilm)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 threads=${2:-2} configurations=${3:-default,transformer,minilm}
dotnet build -c Release bench/SeqClassify.Bench >/dev/null
bench=bench/SeqClassify.Bench/bin/Release/net10.0/seqclassify-bench.dll
lscpu | grep -m1 "Model name" >&2
: > "$out"
for configuration in ${configurations//,/ }; do
  echo "onnx: $configuration, $threads threads" >&2
  dotnet "$bench" onnx --dataset sst2 --configuration "$configuration" --threads "$threads" | tail -1 >> "$out"
done
{ echo "$(lscpu | grep -m1 "Model name" | sed "s/ \+/ /g"), $threads threads each; \`bash bench/onnx.sh $out $threads $configurations\`"; echo; dotnet "$bench" onnx-table "$out"; } > "${out%.*}.md"
cat "${out%.*}.md"
