using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.Bench;

/// <summary>
/// One SeqClassify measurement in its own process (so that its peak RSS compares with the
/// reference's): prepare the data as the reference does, train, predict in batches, time single
/// texts, and print one JSON line with the same fields as torch_reference.py.
/// </summary>
internal static class Worker
{
    public static int Run(BenchDataset dataset, string configuration, int epochs, int maxTrain, int threads, int minFrequency, int maxLength, string? pretrained, int seed)
    {
        TorchRuntime.Threads = threads;
        var ml = new MLContext(seed);
        var clock = Stopwatch.StartNew();
        var train = dataset.Load(ml, dataset.Train);
        if (maxTrain > 0) train = ml.Data.TakeRows(train, maxTrain);
        var test = dataset.Load(ml, dataset.Test);
        var featurizer = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", lengthColumnName: "Length", minimumFrequency: minFrequency, maximumLength: maxLength))
            // Keep only what training and scoring read, as the reference keeps only ids.
            .Append(ml.Transforms.DropColumns("Text", "Tokens"))
            .Fit(train);
        // Cached: tokenized once, as the reference tokenizes once, and before the clock of training starts
        // (prefetched columns are filled by the first pass, the Length count below).
        var trainIds = ml.Data.Cache(featurizer.Transform(train), "Ids", "Label", "Length");
        var testIds = ml.Data.Cache(featurizer.Transform(test), "Ids", "Label", "Length");
        long trainTokens = trainIds.GetColumn<int>("Length").Sum(l => (long)l);
        long testRows = testIds.GetColumn<int>("Length").LongCount();
        double prepSeconds = clock.Elapsed.TotalSeconds;

        var options = Configurations.Get(configuration);
        options.Epochs = epochs;
        options.Threads = threads;
        options.PretrainedEmbeddingsPath = pretrained;
        // A Transformer's positional table as long as the truncation, as the reference's.
        if (options.Encoder == SequenceEncoder.Transformer && maxLength > 0) options.MaxPositions = maxLength;
        clock.Restart();
        using var classifier = ml.MulticlassClassification.Trainers.SequenceClassification(options).Fit(trainIds);
        double trainSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        // The batch path: 256 rows per native call (ML.NET's row-by-row Transform runs one at a time).
        var scores = classifier.Score(testIds);
        double predictSeconds = clock.Elapsed.TotalSeconds;
        var labels = testIds.GetColumn<uint>("Label").ToArray();
        double accuracy = labels.Zip(scores).Count(x => x.First - 1 == Array.IndexOf(x.Second, x.Second.Max())) / (double)labels.Length;

        var (p50, p99) = SingleTextLatency(ml, featurizer.Append(classifier), dataset.Load(ml, dataset.Test));
        TorchRuntime.Threads = threads;
        var result = new JsonObject
        {
            ["impl"] = "seqclassify-" + typeof(Worker).Assembly.GetName().Version,
            ["configuration"] = configuration,
            ["seed"] = seed,
            ["encoder"] = options.Encoder.ToString().ToLowerInvariant(),
            ["cell"] = options.Encoder == SequenceEncoder.Rnn ? options.Cell.ToString().ToLowerInvariant() : null,
            ["bidirectional"] = options.Encoder == SequenceEncoder.Rnn ? options.Bidirectional : null,
            ["heads"] = options.Encoder == SequenceEncoder.Transformer ? options.Heads : null,
            ["ff"] = options.Encoder == SequenceEncoder.Transformer ? options.FeedForwardSize : null,
            ["layers"] = options.NumLayers,
            ["emb"] = options.EmbeddingDimension,
            ["hidden"] = options.HiddenSize,
            ["batch"] = options.BatchSize,
            ["epochs"] = classifier.History.Epochs.Count,
            ["threads"] = threads,
            ["train_rows"] = classifier.History.TrainingRows + classifier.History.ValidationRows,
            ["max_len"] = maxLength,
            ["pretrained"] = pretrained is null ? null : Path.GetFileName(pretrained),
            ["vocab"] = classifier.ModelOptions.VocabularySize,
            ["prep_s"] = Math.Round(prepSeconds, 3),
            ["train_s"] = Math.Round(trainSeconds, 3),
            ["train_rows_per_s"] = Math.Round((classifier.History.TrainingRows + classifier.History.ValidationRows) * (double)classifier.History.Epochs.Count / trainSeconds, 1),
            ["train_tokens_per_s"] = Math.Round(trainTokens * (double)classifier.History.Epochs.Count / trainSeconds, 1),
            ["train_gflops"] = Math.Round(trainTokens * (double)classifier.History.Epochs.Count / trainSeconds * FlopsPerToken(options, trainTokens / (double)(classifier.History.TrainingRows + classifier.History.ValidationRows)) / 1e9, 1),
            ["gemm_path"] = $"engine kernels ({TorchRuntime.Kernels})",
            ["predict_rows_per_s"] = Math.Round(testRows / predictSeconds, 1),
            ["single_p50_ms"] = Math.Round(p50, 3),
            ["single_p99_ms"] = Math.Round(p99, 3),
            ["test_accuracy"] = Math.Round(accuracy, 4),
            ["peak_rss_mb"] = PeakRssMegabytes(),
        };
        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    /// <summary>
    /// The recurrent layers' matrix arithmetic per token, forward and backward: per layer and
    /// direction, the input and hidden products forward (2·G·(I+H)), and backward the input
    /// gradient, both weight gradients and the hidden-state gradient (4·G·(I+H)), G = gates·H.
    /// For the reference GRU (I 100, H 128): 525,312.
    /// </summary>
    private static double FlopsPerToken(SequenceClassificationOptions o, double meanLength) =>
        o.Encoder == SequenceEncoder.Transformer ? TransformerFlopsPerToken(o, meanLength) : RecurrentFlopsPerToken(o);

    /// <summary>
    /// The Transformer's matrix arithmetic per token, forward and backward (3x the forward's): per
    /// layer, the four D x D projections and the two feed-forward products (2·(4D² + 2·D·F)) and the
    /// attention's two products over the row's valid positions (2·2·L·D, L the mean row length).
    /// </summary>
    private static double TransformerFlopsPerToken(SequenceClassificationOptions o, double meanLength)
    {
        double d = o.HiddenSize, f = o.FeedForwardSize;
        return 3.0 * o.NumLayers * (2 * (4 * d * d + 2 * d * f) + 4 * meanLength * d);
    }

    private static double RecurrentFlopsPerToken(SequenceClassificationOptions o)
    {
        int gates = o.Cell switch { RnnCellType.Gru => 3, RnnCellType.Lstm => 4, _ => 1 };
        int directions = o.Bidirectional ? 2 : 1;
        double flops = 0;
        for (int layer = 0; layer < o.NumLayers; layer++)
        {
            int input = layer == 0 ? o.EmbeddingDimension : o.HiddenSize * directions;
            flops += directions * 6.0 * gates * o.HiddenSize * (input + o.HiddenSize);
        }
        return flops;
    }

    /// <summary>In-process prediction of one 50-token text at a time, on one thread: p50 and p99 in ms.</summary>
    private static (double P50, double P99) SingleTextLatency(MLContext ml, ITransformer model, IDataView test)
    {
        // Texts of exactly 50 basic_english tokens, cut from real test reviews.
        var texts = test.GetColumn<string>("Text").Select(BasicEnglishTokenizer.Tokenize)
            .Where(t => t.Length >= 50).Take(200).Select(t => string.Join(' ', t[..50])).ToList();
        return texts.Count == 0 ? (double.NaN, double.NaN) : TimeSingleTexts(ml, model, texts);
    }

    /// <summary>
    /// PredictionEngine.Predict on one text at a time, through the whole pipeline, on one engine thread:
    /// 50 warm-up calls, then the p50 and p99 of 1,000 in ms.
    /// </summary>
    public static (double P50, double P99) TimeSingleTexts(MLContext ml, ITransformer model, IReadOnlyList<string> texts)
    {
        TorchRuntime.Threads = 1;
        var engine = ml.Model.CreatePredictionEngine<TextRow, ScoreRow>(model);
        for (int i = 0; i < 50; i++) engine.Predict(new TextRow { Text = texts[i % texts.Count] });
        var samples = new double[1000];
        for (int i = 0; i < samples.Length; i++)
        {
            var input = new TextRow { Text = texts[i % texts.Count] };
            long start = Stopwatch.GetTimestamp();
            engine.Predict(input);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(samples);
        return (samples[samples.Length / 2], samples[(int)(samples.Length * 0.99)]);
    }

    public static double PeakRssMegabytes()
    {
        // VmHWM: the resident set's high-water mark, what getrusage's ru_maxrss reports for the reference.
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:"));
        return line is null ? double.NaN : Math.Round(double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024, 1);
    }

    public sealed class TextRow
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
