#!/usr/bin/env bash
# The packages as a user meets them, outside the repository: pack SeqClassify into a local folder feed,
# then, in a temporary folder, (1) a new console project (`dotnet new console`) that adds
# SeqClassify.MLNet from that feed and Microsoft.ML from NuGet, trains on SST-2 in an ML.NET pipeline,
# evaluates with ML.NET's evaluator, saves, and loads the model in a second process with plain
# mlContext.Model.Load; (2) the seqclassify tool installed from the feed, which trains, evaluates and
# predicts. No project references and no file of the repository but the packages.
# Run from anywhere, with ../shared beside the checkout, the build packages installed
# (scripts/install-deps.sh) and python3 (which --reference brings; it reads the package and a JSON answer). Each run packs a version of its own, so NuGet's cache never serves an
# older build of the same version.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sst2=$(cd "$root/../shared/datasets/sst2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version="0.1.0-check.$(date +%Y%m%d%H%M%S)"
feed=$work/feed
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== pack $version"
dotnet pack "$root/SeqClassify.sln" -c Release -o "$feed" -p:Version="$version" -p:SeqClassifyWindowsNative=true -v quiet
ls "$feed"
for id in SeqClassify.Torch SeqClassify.MLNet seqclassify; do
  test -f "$feed/$id.$version.nupkg" || { echo "missing package $id" >&2; exit 1; }
  test -f "$feed/$id.$version.snupkg" || { echo "missing symbols of $id" >&2; exit 1; }
done
for native in runtimes/linux-x64/native/libseqclassify_native.so runtimes/win-x64/native/seqclassify_native.dll; do
  python3 -c 'import sys, zipfile; sys.exit(sys.argv[2] not in zipfile.ZipFile(sys.argv[1]).namelist())' \
    "$feed/SeqClassify.Torch.$version.nupkg" "$native" || { echo "SeqClassify.Torch carries no $native" >&2; exit 1; }
done

# A small slice of SST-2 keeps this quick; the test split is whole.
head -n 10001 "$sst2/train.tsv" > "$work/train.tsv"

echo "== a new console project"
cd "$work"
dotnet new console -o app -v quiet >/dev/null
cd app
# The user's feed beside nuget.org, as a nuget.config says it.
cat > nuget.config <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
    <add key="local" value="$feed" />
  </packageSources>
</configuration>
EOF
dotnet add package SeqClassify.MLNet --version "$version" >/dev/null
cat > Program.cs <<'EOF'
using Microsoft.ML;
using Microsoft.ML.Data;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;

var ml = new MLContext(seed: 1);
if (args[0] == "train")
{
    var train = ml.Data.LoadFromTextFile<Row>(args[1], hasHeader: true, separatorChar: '\t', allowQuoting: false);
    var test = ml.Data.LoadFromTextFile<Row>(args[2], hasHeader: true, separatorChar: '\t', allowQuoting: false);
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
        .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens"))
        .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions { PretrainedEmbeddings = PretrainedModelKind.None, Epochs = 2 }))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    var model = pipeline.Fit(train);
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    Console.WriteLine($"accuracy {metrics.MicroAccuracy:F4}");
    if (metrics.MicroAccuracy < 0.6) throw new Exception($"accuracy {metrics.MicroAccuracy} on SST-2's test split: not learning");
    ml.Model.Save(model, train.Schema, args[3]);
}
else
{
    // A second process: plain ML.NET, no SeqClassify call.
    var model = ml.Model.Load(args[1], out _);
    var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
    var p = engine.Predict(new Row { Text = "a gorgeous , witty , seductive movie ." });
    Console.WriteLine($"predicted {p.PredictedLabel} ({p.Score.Max():F3})");
    if (p.PredictedLabel != "1") throw new Exception($"predicted {p.PredictedLabel} for a plainly positive sentence");
}

sealed class Row
{
    [LoadColumn(0)] public string Label { get; set; } = "";
    [LoadColumn(1)] public string Text { get; set; } = "";
}

sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
EOF
dotnet build -c Release -v quiet -o out >/dev/null
dotnet out/app.dll train "$work/train.tsv" "$sst2/test.tsv" "$work/model.zip"
dotnet out/app.dll load "$work/model.zip"
dotnet publish -c Release -v quiet -o published >/dev/null
dotnet published/app.dll load "$work/model.zip"

echo "== examples/QuickStart, built from the packages instead of project references"
mkdir -p "$work/quickstart" && cd "$work/quickstart"
cp ../app/nuget.config .
cp "$root/examples/QuickStart/Program.cs" .
cat > QuickStart.csproj <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="SeqClassify.MLNet" Version="$version" />
    <Using Include="Microsoft.ML" />
    <Using Include="Microsoft.ML.Data" />
  </ItemGroup>
</Project>
EOF
dotnet run -c Release -v quiet

echo "== the repository's CLI and a project referencing SeqClassify.MLNet, built and published with -o"
for project in src/SeqClassify.Cli tests/PlainMLNetConsumer; do
  for verb in build publish; do
    out="$work/o/$(basename "$project")-$verb"
    dotnet "$verb" "$root/$project" -c Release -v quiet -o "$out" >/dev/null
    test -f "$out/libseqclassify_native.so" || { echo "dotnet $verb -o: no native library in $out" >&2; exit 1; }
  done
done

echo "== the seqclassify tool"
dotnet tool install seqclassify --version "$version" --tool-path "$work/tools" --add-source "$feed" >/dev/null
"$work/tools/seqclassify" train --train "$work/train.tsv" --text-column sentence --label-column label --pretrained none --epochs 2 --out "$work/cli.zip"
"$work/tools/seqclassify" evaluate --model "$work/cli.zip" --data "$sst2/test.tsv" --text-column sentence --label-column label --json \
  | python3 -c 'import json,sys; a=json.load(sys.stdin)["microAccuracy"]; print("accuracy", a); sys.exit(0 if a > 0.6 else 1)'
"$work/tools/seqclassify" predict --model "$work/cli.zip" --text "a gorgeous , witty , seductive movie ."
dotnet "$work/o/SeqClassify.Cli-publish/seqclassify.dll" predict --model "$work/cli.zip" --text "a dull , tedious film ."
echo "packages: OK"
