using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms;
using SeqClassify.MLNet.Onnx;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.Bench;

/// <summary>
/// Issue 23, item 5: the price of portability. One model per configuration (the default RNN, a
/// Transformer, the shared MiniLM encoder), exported with ExportNetworkToOnnx, then the same ids scored
/// by the engine and by ONNX Runtime's CPU provider on the same threads, one after the other in this
/// process: batch throughput over SST-2's test set (the engine through the classifier's Score, which
/// sorts rows by length into batches of 256; ONNX Runtime on the same batches) and single-row latency
/// (p50/p99 of 1,000 calls on one thread: the engine through an ML.NET PredictionEngine, as a C# user
/// predicts; ONNX Runtime through InferenceSession.Run directly, its fastest path). The weights come from
/// one short epoch: speed does not depend on them, and the probabilities are checked to agree.
/// </summary>
internal static class OnnxWorker
{
    public static int Run(string shared, BenchDataset dataset, string configuration, int threads, int maxTrain)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.TakeRows(dataset.Load(ml, dataset.Train), maxTrain);
        var test = dataset.Load(ml, dataset.Test);
        var (featurizer, options) = Configure(ml, shared, configuration);
        options.Epochs = 1;
        options.ValidationFraction = 0;
        options.Threads = threads;
        var labels = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        var features = labels.Append(featurizer).Fit(train);
        using var classifier = ml.MulticlassClassification.Trainers.SequenceClassification(options).Fit(features.Transform(train));
        var rows = features.Transform(test).GetColumn<long[]>("Ids").Select(ids => classifier.MaximumLength > 0 && ids.Length > classifier.MaximumLength ? ids[..classifier.MaximumLength] : ids).ToList();

        using var stream = new MemoryStream();
        classifier.ExportNetworkToOnnx(stream);
        byte[] onnx = stream.ToArray();

        TorchRuntime.Threads = threads;
        var view = ml.Data.LoadFromEnumerable(rows.Select(r => new IdRow { Ids = r }).ToList());
        var (engineSeconds, engineProbabilities) = Time(() => classifier.Score(view));
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Length).Chunk(256).ToList();
        using var batchSession = Session(onnx, threads);
        var (onnxSeconds, onnxProbabilities) = Time(() =>
        {
            var all = new float[rows.Count][];
            foreach (var batch in order)
            {
                float[] p = RunOnnx(batchSession, batch.Select(i => rows[i]).ToList());
                for (int k = 0; k < batch.Length; k++) all[batch[k]] = p.AsSpan(k * classifier.LabelNames.Count, classifier.LabelNames.Count).ToArray();
            }
            return all;
        });
        double difference = engineProbabilities.Zip(onnxProbabilities).Max(p => p.First.Zip(p.Second).Max(x => Math.Abs(x.First - x.Second)));

        TorchRuntime.Threads = 1;
        var engine = ml.Model.CreatePredictionEngine<IdRow, ScoreRow>(classifier);
        var (engineP50, engineP99) = Latency(rows, row => engine.Predict(new IdRow { Ids = row }));
        using var rowSession = Session(onnx, 1);
        var (onnxP50, onnxP99) = Latency(rows, row => RunOnnx(rowSession, [row]));

        var result = new JsonObject
        {
            ["configuration"] = configuration,
            ["cpu"] = MachineProfile.CpuModel(),
            ["threads"] = threads,
            ["rows"] = rows.Count,
            ["mean_ids"] = Math.Round(rows.Average(r => r.Length), 1),
            ["parameters"] = classifier.ParameterCount,
            ["onnx_megabytes"] = Math.Round(onnx.Length / 1048576.0, 1),
            ["engine_rows_per_s"] = Math.Round(rows.Count / engineSeconds, 0),
            ["onnxruntime_rows_per_s"] = Math.Round(rows.Count / onnxSeconds, 0),
            ["engine_p50_ms"] = Math.Round(engineP50, 3),
            ["engine_p99_ms"] = Math.Round(engineP99, 3),
            ["onnxruntime_p50_ms"] = Math.Round(onnxP50, 3),
            ["onnxruntime_p99_ms"] = Math.Round(onnxP99, 3),
            ["max_probability_difference"] = difference,
            ["onnxruntime_version"] = typeof(InferenceSession).Assembly.GetName().Version?.ToString(),
        };
        Console.WriteLine(result.ToJsonString());
        return difference <= 1e-4 ? 0 : 1;
    }

    private static (IEstimator<ITransformer> Featurizer, SequenceClassificationOptions Options) Configure(MLContext ml, string shared, string configuration)
    {
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish)
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: 1));
        switch (configuration)
        {
            case "default":
                // The CLI's default network (bench/results/defaults.md): a bidirectional GRU of 128, embedding 100, max pooling.
                return (tokens, new SequenceClassificationOptions { PretrainedEmbeddings = PretrainedModelKind.None });
            case "transformer":
                return (tokens, new SequenceClassificationOptions
                {
                    PretrainedEmbeddings = PretrainedModelKind.None, Encoder = SequenceEncoder.Transformer, NumLayers = 2, EmbeddingDimension = 128,
                    HiddenSize = 128, Heads = 4, FeedForwardSize = 512, Pooling = SequencePooling.Mean,
                });
            case "minilm":
                string folder = Path.Combine(shared, "models", "all-MiniLM-L6-v2");
                return (ml.Transforms.Text.TokenizeForPretrained(folder, "Ids", "Text", maximumLength: 128), SequenceClassificationOptions.FineTuning(folder));
            default:
                throw new ArgumentException($"unknown configuration '{configuration}' (default, transformer or minilm)");
        }
    }

    public sealed class IdRow
    {
        [VectorType] public long[] Ids { get; set; } = [];
    }

    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    private static InferenceSession Session(byte[] onnx, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        return new InferenceSession(onnx, options);
    }

    private static float[] RunOnnx(InferenceSession session, IReadOnlyList<long[]> rows)
    {
        int width = rows.Max(r => r.Length);
        var ids = new DenseTensor<long>([rows.Count, width]);
        var lengths = new DenseTensor<long>([rows.Count]);
        for (int b = 0; b < rows.Count; b++)
        {
            for (int t = 0; t < rows[b].Length; t++) ids[b, t] = rows[b][t];
            lengths[b] = rows[b].Length;
        }
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("ids", ids), NamedOnnxValue.CreateFromTensor("lengths", lengths)]);
        return results.Single(r => r.Name == ClassifierOnnxExport.ProbabilitiesOutput).AsTensor<float>().ToArray();
    }

    /// <summary>Seconds of the second of two runs (the first warms caches and ONNX Runtime's allocator), and its result.</summary>
    private static (double Seconds, T Result) Time<T>(Func<T> run)
    {
        run();
        var clock = Stopwatch.StartNew();
        var result = run();
        return (clock.Elapsed.TotalSeconds, result);
    }

    /// <summary>p50 and p99 in ms of 1,000 single-row calls over the rows in turn, after 50 warm-up calls.</summary>
    private static (double P50, double P99) Latency(List<long[]> rows, Action<long[]> predict)
    {
        for (int i = 0; i < 50; i++) predict(rows[i % rows.Count]);
        var samples = new double[1000];
        for (int i = 0; i < samples.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            predict(rows[i % rows.Count]);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(samples);
        return (samples[samples.Length / 2], samples[(int)(samples.Length * 0.99)]);
    }

    /// <summary>A Markdown table of JSON lines this worker printed.</summary>
    public static string Table(IEnumerable<JsonNode> results)
    {
        var lines = new List<string>
        {
            "| model | parameters | mean ids | engine rows/s | ONNX Runtime rows/s | ratio | engine p50 / p99 ms | ONNX Runtime p50 / p99 ms | max prob. diff |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        foreach (var r in results)
        {
            double engine = r["engine_rows_per_s"]!.GetValue<double>(), onnx = r["onnxruntime_rows_per_s"]!.GetValue<double>();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {r["configuration"]} | {r["parameters"]!.GetValue<long>():N0} | {r["mean_ids"]} | {engine:N0} | {onnx:N0} | {engine / onnx:F2}x | {r["engine_p50_ms"]} / {r["engine_p99_ms"]} | {r["onnxruntime_p50_ms"]} / {r["onnxruntime_p99_ms"]} | {r["max_probability_difference"]!.GetValue<double>():G2} |"));
        }
        return string.Join('\n', lines);
    }
}
