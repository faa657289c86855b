using SeqClassify.MLNet.Onnx;
using SeqClassify.MLNet.Tests.Onnx;
using SeqClassify.Testing;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// Issue 31, items 2, 3 and 7: ml.Regression.Trainers.SequenceRegression trains a score on standardized
/// targets and predicts in the label's units (the scaling folded into the head), as ML.NET's regression
/// trainers do: a Single Score column that ml.Regression.Evaluate reads, Save/Load, PredictionEngine, ONNX.
/// </summary>
[TestFixture]
public class RegressionTests
{
    public sealed class ScoredText
    {
        public float Label { get; set; }
        public string Text { get; set; } = "";
    }

    public sealed class ScoreOnly
    {
        public float Score { get; set; }
    }

    // A score far from 0 and wide (1,000 + 100 per "good"): learned in a few epochs only if the targets are
    // standardized for training, and predicted right only if the scaling is undone for prediction.
    private static ScoredText[] Rows()
    {
        var random = new Random(3);
        string[] filler = ["the", "film", "was", "a", "story", "and", "it"];
        return Enumerable.Range(0, 160).Select(i =>
        {
            int good = i % 5;
            var words = Enumerable.Range(0, 6).Select(_ => filler[random.Next(filler.Length)]).Concat(Enumerable.Repeat("good", good)).OrderBy(_ => random.Next()).ToArray();
            return new ScoredText { Label = 1000 + 100 * good, Text = string.Join(' ', words) };
        }).ToArray();
    }

    private static SequenceClassificationOptions Options()
    {
        var options = Pipelines.Small(epochs: 12);
        options.Bidirectional = true;
        options.Pooling = SequencePooling.Mean;
        options.ValidationFraction = 0.1;
        options.Seed = 4;
        return options;
    }

    private static EstimatorChain<SequenceClassificationTransformer> Pipeline(MLContext ml, SequenceClassificationOptions options) =>
        ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish)
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens"))
            .Append(ml.Regression.Trainers.SequenceRegression(options));

    [Test]
    public void ARegressionPredictsInTheLabelsUnitsAndRegressionEvaluateReadsIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());

        var model = Pipeline(ml, Options()).Fit(data);
        var scored = model.Transform(data);
        var metrics = ml.Regression.Evaluate(scored);

        Assert.That(scored.Schema["Score"].Type, Is.EqualTo(NumberDataViewType.Single), "one Single score, as ML.NET's regression trainers");
        Assert.That(scored.Schema.GetColumnOrNull("PredictedLabel"), Is.Null);
        Assert.That(metrics.RootMeanSquaredError, Is.LessThan(60), "labels span 1,000 to 1,400");
        Assert.That(metrics.RSquared, Is.GreaterThan(0.9));
        var history = model.LastTransformer.History;
        Assert.That(history.Epochs.All(e => e.ValidationRmse is > 0 && e.ValidationPearson is not null && e.ValidationAccuracy is null));
        Assert.That(history.Epochs[^1].ValidationRmse!.Value, Is.LessThan(history.Epochs[0].ValidationRmse!.Value));
        Assert.That(model.LastTransformer.LabelNames, Is.Empty);
        Assert.That(model.LastTransformer.ModelOptions.Task, Is.EqualTo(SequenceTask.Regression));
    }

    [Test]
    public void SaveLoadPredictionEngineAndOnnxRuntimeGiveTheSameScores()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Options();
        options.Epochs = 2;
        var model = Pipeline(ml, options).Fit(data);
        float[] scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        string path = Path.Combine(TestData.ScratchDirectory(), "regression.zip");
        ml.Model.Save(model, data.Schema, path);

        // Readable only by readers of its format: an older SeqClassify refuses it by version, not as a classifier of defaults.
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        {
            var key = zip.Entries.Where(e => e.Name == "Model.key").Select(e => { using var s = e.Open(); var m = new MemoryStream(); s.CopyTo(m); return m.ToArray(); })
                .Single(b => b.AsSpan(0x40, 8).SequenceEqual("SCRNNCLS"u8));
            Assert.That((BitConverter.ToUInt32(key, 0x48), BitConverter.ToUInt32(key, 0x4C)), Is.EqualTo((0x00010004u, 0x00010004u)), "written, readable by");
        }
        var loaded = new MLContext(seed: 2).Model.Load(path, out _);
        Assert.That(loaded.Transform(data).GetColumn<float>("Score").ToArray(), Is.EqualTo(scores));
        var engine = new MLContext().Model.CreatePredictionEngine<ScoredText, ScoreOnly>(loaded);
        Assert.That(engine.Predict(rows[7]).Score, Is.EqualTo(scores[7]).Within(1e-4f), "one row alone, as in its batch");

        var regression = model.LastTransformer;
        var ids = model.Transform(data).GetColumn<long[]>("Ids").Take(20).ToList();
        using var onnx = new MemoryStream();
        regression.ExportNetworkToOnnx(onnx);
        var outputs = OnnxRuntimeRunner.RunNetwork(onnx.ToArray(), ids);
        Assert.That(outputs.Keys, Is.EquivalentTo(new[] { "scores" }));
        Assert.That(outputs["scores"].Select(s => s[0]), Is.EqualTo(scores.Take(20)).Within(1e-3f), "ONNX Runtime, in the label's units");
    }

    [Test]
    public void AMissingOrNonNumericTargetIsRefusedByRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        rows[5].Label = float.NaN;

        var error = Assert.Throws<InvalidOperationException>(() => Pipeline(ml, Options()).Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.That(error!.Message, Does.Contain("Row 5: label column 'Label' holds NaN"));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Text").Append(Pipeline(ml, Options()));
        Assert.That(() => keyed.Fit(ml.Data.LoadFromEnumerable(Rows())),
            Throws.InvalidOperationException.With.Message.Contains("Column 'Label' is UInt32; expected a Single column of scores"));
    }

    [Test]
    public void APretrainedEncoderFineTunesOnSentencePairScores()
    {
        var ml = new MLContext(seed: 1);
        string tinyBert = Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained", "tiny-bert");
        var pairs = new[]
        {
            new PairScore { Label = 5f, First = "the movie is good", Second = "the film is great" },
            new PairScore { Label = 0.5f, First = "the movie is good", Second = "the story was boring" },
            new PairScore { Label = 4.5f, First = "the plot was dull", Second = "the story was boring" },
            new PairScore { Label = 1f, First = "the plot was dull", Second = "the film is great" },
        };
        var data = ml.Data.LoadFromEnumerable(Enumerable.Repeat(pairs, 4).SelectMany(p => p));
        var options = SequenceClassificationOptions.FineTuning(tinyBert);
        options.LearningRate = 1e-2;
        options.Epochs = 8;
        options.BatchSize = 8;
        options.ValidationFraction = 0;
        var pipeline = ml.Transforms.Text.TokenizeForPretrained(tinyBert, "Ids", "First", maximumLength: 20, pairColumnName: "Second")
            .Append(ml.Regression.Trainers.SequenceRegression(options));

        var model = pipeline.Fit(data);

        var history = model.LastTransformer.History;
        Assert.That(history.Epochs[^1].TrainLoss, Is.LessThan(history.Epochs[0].TrainLoss));
        float[] scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.That(scores.Average(), Is.EqualTo(pairs.Average(p => p.Label)).Within(1.0), "around the labels' mean, in their units");
    }

    public sealed class PairScore
    {
        public float Label { get; set; }
        public string First { get; set; } = "";
        public string Second { get; set; } = "";
    }
}
