using SeqClassify.MLNet.Evaluation;
using SeqClassify.MLNet.Onnx;
using SeqClassify.MLNet.Tests.Onnx;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// Issue 31, items 1, 3 and 7: ml.MulticlassClassification.Trainers.SequenceMultiLabel learns label sets (a row
/// may have none), chooses each label's threshold on the validation rows, predicts a set of keys, and keeps
/// it through Save/Load and PredictionEngine; EvaluateMultiLabel gives scikit-learn's figures.
/// </summary>
[TestFixture]
public class MultiLabelTests
{
    public sealed class TaggedText
    {
        public string Labels { get; set; } = "";
        public string Text { get; set; } = "";
    }

    public sealed class Prediction
    {
        public string[] PredictedLabels { get; set; } = [];
        public float[] Score { get; set; } = [];
    }

    // Each colour named in the text is a tag of the row: none, one, two or three of them.
    private static TaggedText[] Rows(int count = 240)
    {
        var random = new Random(9);
        string[] colours = ["red", "blue", "green"];
        string[] filler = ["a", "car", "with", "the", "house", "and", "sky"];
        return Enumerable.Range(0, count).Select(i =>
        {
            var tags = colours.Where((_, c) => (i >> c & 1) == 1 ^ (i % 7 == 0)).ToArray();
            var words = Enumerable.Range(0, 5).Select(_ => filler[random.Next(filler.Length)]).Concat(tags).OrderBy(_ => random.Next());
            return new TaggedText { Labels = string.Join(',', tags), Text = string.Join(' ', words) };
        }).ToArray();
    }

    // Up to the trainer: PredictedLabels still keys, as the evaluator reads them.
    private static IEstimator<ITransformer> Scoring(MLContext ml, SequenceClassificationOptions options) =>
        ml.Transforms.Text.TokenizeIntoWords("LabelNames", "Labels", [','])
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "LabelNames"))
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens"))
            .Append(ml.MulticlassClassification.Trainers.SequenceMultiLabel(options));

    private static IEstimator<ITransformer> Pipeline(MLContext ml, SequenceClassificationOptions options) =>
        Scoring(ml, options).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabels"));

    // The classifier step, wherever the chains nest it.
    private static SequenceClassificationTransformer Classifier(ITransformer model) => model switch
    {
        SequenceClassificationTransformer classifier => classifier,
        IEnumerable<ITransformer> chain => chain.Select(Classifier).Single(c => c is not null),
        _ => null!,
    };

    private static SequenceClassificationOptions Options()
    {
        var options = Pipelines.Small(epochs: 10);
        options.Bidirectional = true;
        options.Pooling = SequencePooling.Max;
        options.ValidationFraction = 0.2;
        options.Seed = 2;
        return options;
    }

    [Test]
    public void LabelSetsAreLearnedAndPredictedAsSetsWithThresholdsChosenOnTheValidationRows()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = ml.Data.LoadFromEnumerable(rows);

        var model = Scoring(ml, Options()).Fit(data);
        var scored = model.Transform(data);
        var metrics = ml.MulticlassClassification.EvaluateMultiLabel(scored);

        var classifier = Classifier(model);
        Assert.That(classifier.LabelNames, Is.EquivalentTo(new[] { "red", "blue", "green" }));
        Assert.That(classifier.Thresholds, Has.Count.EqualTo(3).And.All.InRange(0.01f, 0.99f));
        Assert.That(metrics.MicroF1, Is.GreaterThan(0.95));
        Assert.That(metrics.MacroF1, Is.GreaterThan(0.95));
        Assert.That(metrics.PerLabel.Select(l => l.Label), Is.EqualTo(classifier.LabelNames));
        var history = classifier.History;
        Assert.That(history.Epochs.All(e => e.ValidationMacroF1 is not null && e.ValidationMicroF1 is not null && e.ValidationAccuracy is null));
        var named = ml.Transforms.Conversion.MapKeyToValue("PredictedLabels").Fit(scored).Transform(scored);
        var predicted = named.GetColumn<string[]>("PredictedLabels").ToList();
        Assert.That(predicted.Count(p => p.Length == 0), Is.GreaterThan(0), "rows with none of the labels are predicted with none");
        Assert.That(predicted.Zip(rows).Count(x => x.First.Order().SequenceEqual(x.Second.Labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Order())),
            Is.GreaterThan(rows.Length * 9 / 10), "whole sets right");
    }

    [Test]
    public void SaveLoadPredictionEngineAndOnnxRuntimeKeepTheSetsAndThresholds()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(120);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Options();
        options.Epochs = 3;
        options.DecisionThreshold = 0.4;
        var model = Pipeline(ml, options).Fit(data);
        string path = Path.Combine(TestData.ScratchDirectory(), "multilabel.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = new MLContext(seed: 2).Model.Load(path, out _);
        var classifier = Classifier(loaded);
        Assert.That(classifier.Thresholds, Is.EqualTo(new[] { 0.4f, 0.4f, 0.4f }), "DecisionThreshold, kept with the model");
        Assert.That(loaded.Transform(data).GetColumn<float[]>("Score").ToList(), Is.EqualTo(model.Transform(data).GetColumn<float[]>("Score").ToList()));
        var engine = new MLContext().Model.CreatePredictionEngine<TaggedText, Prediction>(loaded);
        var one = engine.Predict(rows[5]);
        Assert.That(one.PredictedLabels, Is.EquivalentTo(Enumerable.Range(0, 3).Where(i => one.Score[i] >= 0.4f).Select(i => classifier.LabelNames[i])));

        using var onnx = new MemoryStream();
        classifier.ExportNetworkToOnnx(onnx);
        var ids = loaded.Transform(data).GetColumn<long[]>("Ids").Take(12).ToList();
        var expected = loaded.Transform(data).GetColumn<float[]>("Score").Take(12).ToArray();
        var outputs = OnnxRuntimeRunner.RunNetwork(onnx.ToArray(), ids);
        for (int i = 0; i < expected.Length; i++) Assert.That(outputs["probabilities"][i], Is.EqualTo(expected[i]).Within(1e-5f), $"row {i}: a sigmoid per label");
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx.ToArray());
        Assert.That(session.ModelMetadata.CustomMetadataMap["thresholds"], Is.EqualTo("[0.4,0.4,0.4]"));
        var error = Assert.Throws<NotSupportedException>(() => ml.Model.ConvertToOnnx(loaded, data, new MemoryStream()));
        Assert.That(error!.Message, Does.Contain("export the network alone"));
    }

    [Test]
    public void APretrainedEncodersNewHeadStartsAtTheLabelsFrequencies()
    {
        var ml = new MLContext(seed: 1);
        string tinyBert = Path.Combine(SeqClassify.Testing.RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained", "tiny-bert");
        var rows = Rows(40);
        var options = SequenceClassificationOptions.FineTuning(tinyBert);
        options.Epochs = 1;
        options.LearningRate = 1e-12;  // the head stays where it started
        options.ValidationFraction = 0;
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("LabelNames", "Labels", [','])
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "LabelNames"))
            .Append(ml.Transforms.Text.TokenizeForPretrained(tinyBert, "Ids", "Text", maximumLength: 16))
            .Append(ml.MulticlassClassification.Trainers.SequenceMultiLabel(options));

        var classifier = Classifier(pipeline.Fit(ml.Data.LoadFromEnumerable(rows)));

        var bias = TensorArchive.Read(classifier.Model.ExportParameters()).Single(t => t.Name == "fc.bias").Floats!;
        var expected = classifier.LabelNames.Select(label =>
        {
            double p = rows.Count(r => r.Labels.Split(',').Contains(label)) / (double)rows.Length;
            return (float)Math.Log(p / (1 - p));
        });
        Assert.That(bias, Is.EqualTo(expected).Within(1e-4f), "each label's bias: the logit of its frequency");
    }

    [Test]
    public void AnUnknownLabelInTheTrainingRowsIsRefusedByRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(40);
        // Keys learned from other rows than the training rows: row 3's label is not among them.
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", "LabelNames", keyData: ml.Data.LoadFromEnumerable(new[] { new { LabelNames = "red" } }));
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("LabelNames", "Labels", [','])
            .Append(keys)
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens"))
            .Append(ml.MulticlassClassification.Trainers.SequenceMultiLabel(Options()));

        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.That(error!.Message, Does.Match(@"Row \d+: label column 'Label' holds a label the keys were not learned from"));
    }

    [Test]
    public void MetricsAreScikitLearns()
    {
        // scikit-learn's label_ranking_average_precision_score example: 0.41666...
        float[] truth = [1, 0, 0, 0, 0, 1];
        float[] scores = [0.75f, 0.5f, 1f, 1f, 0.2f, 0.1f];

        var m = MultiLabelMetrics.Compute(truth, scores, ["a", "b", "c"], [0.6f, 0.6f, 0.6f]);

        Assert.That(m.LabelRankingAveragePrecision, Is.EqualTo(5.0 / 12).Within(1e-12));
        // Predicted {a, c} and {a}; true {a} and {c}: 3 wrong decisions of 6, no whole set right.
        Assert.That(m.HammingLoss, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.SubsetAccuracy, Is.EqualTo(0));
        Assert.That((m.MicroPrecision, m.MicroRecall), Is.EqualTo((1.0 / 3, 0.5)));
        Assert.That(m.PerLabel[0].F1, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(m.MacroF1, Is.EqualTo((2.0 / 3 + 0 + 0) / 3).Within(1e-12));
    }

    [Test]
    public void EachLabelsThresholdMaximizesItsF1()
    {
        // One label, six rows: predicting from 0.3 catches all three positives and one negative (F1 6/7), better
        // than 0.5 (one positive: F1 1/2) and than 0.2 (F1 6/8).
        float[] truth = [1, 1, 0, 1, 0, 0];
        float[] scores = [0.9f, 0.35f, 0.32f, 0.3f, 0.2f, 0.1f];

        var thresholds = MultiLabelMetrics.BestThresholds(truth, scores, 1);

        Assert.That(thresholds, Is.EqualTo(new[] { 0.3f }));
        Assert.That(MultiLabelMetrics.BestThresholds([0, 0], [0.7f, 0.2f], 1), Is.EqualTo(new[] { 0.5f }), "a label no row has keeps 0.5");
    }
}
