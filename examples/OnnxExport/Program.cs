// Train a sentiment classifier on SST-2 in an ML.NET pipeline, export it to ONNX two ways, and check
// that both predict what the .zip model predicts on the whole test set:
//   1. the whole pipeline from raw text, with mlContext.Model.ConvertToOnnx (ML.NET's TokenizeIntoWords
//      exports as ONNX Runtime's Tokenizer; SeqClassify's vocabulary as ONNX-ML's LabelEncoder), run by
//      ML.NET's ApplyOnnxModel as any ML.NET app on any platform would;
//   2. the network alone (padded ids and lengths in, probabilities out) with ExportNetworkToOnnx, run by
//      ONNX Runtime's InferenceSession in batches, as a program in any language would.
// Run: dotnet run -c Release --project examples/OnnxExport -- [--rows 5000]
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SeqClassify.MLNet.Onnx;
using SeqClassify.MLNet.Training;

int rows = args.Length == 2 && args[0] == "--rows" ? int.Parse(args[1]) : 5000;
string sst2 = Path.Combine(FindShared(), "datasets", "sst2");
var ml = new MLContext(seed: 1);
var loader = ml.Data.CreateTextLoader<Review>(separatorChar: '\t', hasHeader: true, allowQuoting: false);
var train = ml.Data.TakeRows(loader.Load(Path.Combine(sst2, "train.tsv")), rows);
var test = loader.Load(Path.Combine(sst2, "test.tsv"));

// The labels' keys are fitted apart: what is exported starts at the text, with no label input.
var labels = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
var predictor = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
    .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens"))
    .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions { PretrainedEmbeddings = PretrainedModelKind.None, Epochs = 2 }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
    .Fit(labels.Transform(train));
var scored = predictor.Transform(test);
string[] expected = scored.GetColumn<string>("PredictedLabel").ToArray();
long[][] ids = scored.GetColumn<long[]>("Ids").ToArray();
Console.WriteLine($"trained on {rows:N0} rows; the .zip model predicts {expected.Length:N0} test sentences");

// 1. The whole pipeline, text in: the input view names the one column the graph takes.
string pipelineFile = Path.Combine(Path.GetTempPath(), "sst2-pipeline.onnx");
using (var file = File.Create(pipelineFile))
{
    ml.Model.ConvertToOnnx(predictor, ml.Data.LoadFromEnumerable(new[] { new TextOnly() }), file, "Score", "PredictedLabel");
}
var clock = Stopwatch.StartNew();
var onnxScored = ml.Transforms.ApplyOnnxModel(outputColumnNames: ["PredictedLabel.output"], inputColumnNames: ["Text"], modelFile: pipelineFile)
    .Fit(test).Transform(test);
// ApplyOnnxModel names the column after the graph's output, without ML.NET's ".output".
string[] fromPipeline = onnxScored.GetColumn<VBuffer<ReadOnlyMemory<char>>>("PredictedLabel").Select(v => v.GetItemOrDefault(0).ToString()).ToArray();
Console.WriteLine($"ApplyOnnxModel on {pipelineFile}: {Agreement(fromPipeline, expected)} of the .zip's labels ({clock.Elapsed.TotalSeconds:F1} s)");

// 2. The network alone, in batches of 256 padded rows.
var classifier = ((IEnumerable<ITransformer>)predictor).OfType<SequenceClassificationTransformer>().Single();
string networkFile = Path.Combine(Path.GetTempPath(), "sst2-network.onnx");
using (var file = File.Create(networkFile)) classifier.ExportNetworkToOnnx(file);
using var session = new InferenceSession(networkFile);
clock.Restart();
var fromNetwork = new List<string>();
foreach (var batch in ids.Chunk(256))
{
    int width = batch.Max(r => r.Length);
    var input = new DenseTensor<long>([batch.Length, width]);
    var lengths = new DenseTensor<long>([batch.Length]);
    for (int b = 0; b < batch.Length; b++)
    {
        for (int t = 0; t < batch[b].Length; t++) input[b, t] = batch[b][t];
        lengths[b] = batch[b].Length;
    }
    using var results = session.Run([NamedOnnxValue.CreateFromTensor("ids", input), NamedOnnxValue.CreateFromTensor("lengths", lengths)]);
    var probabilities = results.Single(r => r.Name == "probabilities").AsTensor<float>();
    for (int b = 0; b < batch.Length; b++)
    {
        int best = Enumerable.Range(0, classifier.LabelNames.Count).MaxBy(c => probabilities[b, c]);
        fromNetwork.Add(classifier.LabelNames[best]);
    }
}
Console.WriteLine($"InferenceSession on {networkFile}: {Agreement(fromNetwork, expected)} of the .zip's labels ({clock.Elapsed.TotalSeconds:F1} s)");
return fromPipeline.SequenceEqual(expected) && fromNetwork.SequenceEqual(expected) ? 0 : 1;

static string Agreement(IReadOnlyList<string> actual, IReadOnlyList<string> expected) =>
    $"{actual.Zip(expected).Count(p => p.First == p.Second):N0} / {expected.Count:N0}";

static string FindShared()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, "..", "shared");
        if (Directory.Exists(Path.Combine(candidate, "datasets"))) return Path.GetFullPath(candidate);
    }
    throw new DirectoryNotFoundException("../shared/datasets was not found beside the checkout.");
}

internal sealed class Review
{
    [LoadColumn(0)] public string Label { get; set; } = "";
    [LoadColumn(1)] public string Text { get; set; } = "";
}

internal sealed class TextOnly
{
    public string Text { get; set; } = "";
}
