using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// The Transformer encoder and attention pooling inside an ML.NET pipeline: Fit, Save, Load,
/// PredictionEngine, and the attention weights as an output column.
/// </summary>
[TestFixture]
public class TransformerPipelineTests
{
    private static SequenceClassificationOptions SmallTransformer(SequencePooling pooling) => new()
    {
        Encoder = SequenceEncoder.Transformer,
        PretrainedEmbeddings = PretrainedModelKind.None,
        EmbeddingDimension = 16,
        HiddenSize = 16,
        Heads = 2,
        FeedForwardSize = 32,
        MaxPositions = 6,
        Pooling = pooling,
        Epochs = 3,
        BatchSize = 4,
        LearningRate = 0.01,
    };

    public sealed class Weighted
    {
        public float[] Score { get; set; } = [];
        public float[] AttentionWeights { get; set; } = [];
    }

    [Test]
    public void SaveThenLoadGivesTheSamePredictionsAndOptions()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var model = Pipelines.Text(ml, SmallTransformer(SequencePooling.Mean)).Fit(data);
        string path = Path.Combine(TestData.ScratchDirectory(), "transformer.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = ml.Model.Load(path, out _);

        var before = ml.Data.CreateEnumerable<TextPrediction>(model.Transform(data), reuseRowObject: false).SelectMany(p => p.Score).ToList();
        var after = ml.Data.CreateEnumerable<TextPrediction>(loaded.Transform(data), reuseRowObject: false).SelectMany(p => p.Score).ToList();
        Assert.That(after, Is.EqualTo(before));
        var options = loaded.Classifier().ModelOptions;
        Assert.That((options.Encoder, options.Heads, options.FeedForwardSize, options.MaxPositions), Is.EqualTo((SequenceEncoder.Transformer, 2, 32, 6)));
        Assert.That(loaded.Classifier().MaximumLength, Is.EqualTo(6), "sequences are truncated to MaxPositions when predicting too");
    }

    [Test]
    public void LongerTextsAreTruncatedToMaxPositionsNotRefused()
    {
        var ml = new MLContext(seed: 1);
        var model = Pipelines.Text(ml, SmallTransformer(SequencePooling.First)).Fit(Pipelines.Sentences(ml));
        var engine = ml.Model.CreatePredictionEngine<LabeledText, TextPrediction>(model);

        var longer = engine.Predict(new LabeledText { Text = "great acting and a lovely story and a wonderful , warm film" });
        var first6 = engine.Predict(new LabeledText { Text = "great acting and a lovely story" });

        Assert.That(longer.Score, Is.EqualTo(first6.Score), "the model sees the first 6 tokens of each");
    }

    [Test]
    public void AttentionPoolingAddsItsWeightsAsAColumn()
    {
        var ml = new MLContext(seed: 1);
        var trainer = Pipelines.Small();
        trainer.Pooling = SequencePooling.Attention;
        trainer.Bidirectional = true;
        var model = Pipelines.Text(ml, trainer).Fit(Pipelines.Sentences(ml));
        var engine = ml.Model.CreatePredictionEngine<LabeledText, Weighted>(model);

        var prediction = engine.Predict(new LabeledText { Text = "a wonderful , warm film" });

        Assert.That(prediction.AttentionWeights, Has.Length.EqualTo(5), "one weight per token");
        Assert.That(prediction.AttentionWeights.Sum(), Is.EqualTo(1f).Within(1e-5f));
        Assert.That(prediction.AttentionWeights, Is.All.GreaterThan(0f));
        var scored = model.Transform(Pipelines.Sentences(ml));
        Assert.That(scored.Schema.GetColumnOrNull(SequenceClassificationTransformer.AttentionWeightsColumnName), Is.Not.Null);
        Assert.That(scored.GetColumn<float[]>(SequenceClassificationTransformer.AttentionWeightsColumnName).Select(w => w.Length),
            Is.EqualTo(Pipelines.SentenceRows.Select(r => r.Text.Split(' ').Length)));
    }

    [Test]
    public void WithoutAttentionPoolingThereIsNoWeightsColumn()
    {
        var ml = new MLContext(seed: 1);
        var model = Pipelines.Text(ml).Fit(Pipelines.Sentences(ml));

        Assert.That(model.Transform(Pipelines.Sentences(ml)).Schema.GetColumnOrNull(SequenceClassificationTransformer.AttentionWeightsColumnName), Is.Null);
    }

    [Test]
    public void TransformerOptionsAreCheckedBeforeAnyDataIsRead()
    {
        var options = SmallTransformer(SequencePooling.Mean);
        options.Heads = 3;
        Assert.That(() => options.Validate(), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Heads (3) must divide HiddenSize (16)"));
        options.Heads = 2;
        options.MaximumTrainingLength = 7;
        Assert.That(() => options.Validate(), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("MaximumTrainingLength 7 exceeds MaxPositions 6"));
    }
}
