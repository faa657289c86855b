using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.Bench;

/// <summary>
/// One fine-tuning measurement of a pretrained Hugging Face folder in its own process, the counterpart
/// of ../shared/reference/torch_bert_finetune.py: the same rows, recipe and JSON fields (accuracy,
/// training rows and WordPiece ids per second, batch prediction rows per second, peak RSS), plus the
/// single-sentence latency the reference does not measure.
/// </summary>
internal static class PretrainedWorker
{
    public sealed record Settings(string Model, BenchDataset Dataset, int Epochs, int MaxTrain, int Threads, int Seed, int MaxLength,
        double? LearningRate, SequencePooling? Pooling);

    public static int Run(Settings s)
    {
        TorchRuntime.Threads = s.Threads;
        var ml = new MLContext(s.Seed);
        var clock = Stopwatch.StartNew();
        var train = s.Dataset.Load(ml, s.Dataset.Train);
        if (s.MaxTrain > 0) train = ml.Data.TakeRows(train, s.MaxTrain);
        var test = s.Dataset.Load(ml, s.Dataset.Test);
        var featurizer = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.Text.TokenizeForPretrained(s.Model, "Ids", "Text", maximumLength: s.MaxLength))
            .Fit(train);
        // Tokenized once, before training's clock starts, as the reference does.
        var trainIds = ml.Data.Cache(featurizer.Transform(train), "Ids", "Label");
        var testIds = ml.Data.Cache(featurizer.Transform(test), "Ids", "Label");
        long trainRows = 0, trainTokens = 0;
        foreach (var ids in trainIds.GetColumn<long[]>("Ids"))
        {
            trainRows++;
            trainTokens += ids.Length;
        }
        long testRows = testIds.GetColumn<uint>("Label").LongCount();
        double prepSeconds = clock.Elapsed.TotalSeconds;

        var options = SequenceClassificationOptions.FineTuning(s.Model);
        options.Epochs = s.Epochs;
        options.Threads = s.Threads;
        options.Seed = s.Seed;
        options.ValidationFraction = 0;  // every row trains, as in the reference
        if (s.LearningRate is { } lr) options.LearningRate = lr;
        if (s.Pooling is { } pooling) options.Pooling = pooling;
        clock.Restart();
        using var classifier = ml.MulticlassClassification.Trainers.SequenceClassification(options).Fit(trainIds);
        double trainSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var scores = classifier.Score(testIds);
        double predictSeconds = clock.Elapsed.TotalSeconds;
        var labels = testIds.GetColumn<uint>("Label").ToArray();
        double accuracy = labels.Zip(scores).Count(x => x.First - 1 == Array.IndexOf(x.Second, x.Second.Max())) / (double)labels.Length;

        // One test sentence at a time through the whole pipeline, the tokenizer included.
        var (p50, p99) = Worker.TimeSingleTexts(ml, featurizer.Append(classifier), test.GetColumn<string>("Text").Take(200).ToList());
        var result = new JsonObject
        {
            ["impl"] = "seqclassify-" + typeof(PretrainedWorker).Assembly.GetName().Version,
            ["model"] = Path.GetFileName(Path.GetFullPath(s.Model).TrimEnd(Path.DirectorySeparatorChar)),
            ["params"] = classifier.ParameterCount,
            ["batch"] = options.BatchSize,
            ["epochs"] = classifier.History.Epochs.Count,
            ["lr"] = options.LearningRate,
            ["max_len"] = s.MaxLength,
            ["pooling"] = options.Pooling.ToString().ToLowerInvariant(),
            ["threads"] = s.Threads,
            ["train_rows"] = trainRows,
            ["num_labels"] = classifier.ModelOptions.NumClasses,
            ["train_tokens_mean"] = Math.Round(trainTokens / (double)Math.Max(1, trainRows), 1),
            ["kernels"] = TorchRuntime.Kernels,
            ["prep_s"] = Math.Round(prepSeconds, 3),
            ["train_s"] = Math.Round(trainSeconds, 3),
            ["train_rows_per_s"] = Math.Round(trainRows * (double)classifier.History.Epochs.Count / trainSeconds, 1),
            ["train_tokens_per_s"] = Math.Round(trainTokens * (double)classifier.History.Epochs.Count / trainSeconds, 1),
            ["predict_rows_per_s"] = Math.Round(testRows / predictSeconds, 1),
            ["single_p50_ms"] = Math.Round(p50, 3),
            ["single_p99_ms"] = Math.Round(p99, 3),
            ["test_accuracy"] = Math.Round(accuracy, 4),
            ["peak_rss_mb"] = Worker.PeakRssMegabytes(),
        };
        Console.WriteLine(result.ToJsonString());
        return 0;
    }
}
