using SeqClassify.MLNet.Onnx;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// Issue 31, item 5 (windows): a Transformer whose positions are fewer than a text's ids reads it in windows
/// (WindowStride), pools their outputs, and so learns what the text says past its first positions, which a
/// model that keeps the head never sees; the windows are kept with the model.
/// </summary>
[TestFixture]
public class WindowTests
{
    // 24 words of filler and, among the last 4, the word that decides the label.
    private static LabeledText[] Rows()
    {
        var random = new Random(5);
        string[] filler = ["the", "a", "film", "story", "and", "it", "was", "of"];
        return Enumerable.Range(0, 160).Select(i =>
        {
            var words = Enumerable.Range(0, 24).Select(_ => filler[random.Next(filler.Length)]).ToList();
            words[20 + random.Next(4)] = i % 2 == 0 ? "great" : "awful";
            return new LabeledText { Label = i % 2 == 0 ? "pos" : "neg", Text = string.Join(' ', words) };
        }).ToArray();
    }

    private static SequenceClassificationOptions Transformer(int windowStride)
    {
        var options = Pipelines.Small(epochs: 12);
        options.Encoder = SequenceEncoder.Transformer;
        options.Heads = 2;
        options.FeedForwardSize = 32;
        options.MaxPositions = 8;
        options.Pooling = SequencePooling.Max;
        options.WindowStride = windowStride;
        options.Network.WindowPooling = WindowPooling.Max;
        options.ValidationFraction = 0;
        options.Seed = 3;
        return options;
    }

    private static IEstimator<ITransformer> Pipeline(MLContext ml, SequenceClassificationOptions options) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", truncation: options.WindowStride > 0 ? TruncationPolicy.KeepAll : TruncationPolicy.KeepHead))
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(options));

    [Test]
    public void WindowsReadWhatTheHeadDoesNotAndTheModelKeepsThem()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = ml.Data.LoadFromEnumerable(rows);

        var head = Pipeline(ml, Transformer(0)).Fit(data);
        var windowed = Pipeline(ml, Transformer(4)).Fit(data);

        double headAccuracy = ml.MulticlassClassification.Evaluate(head.Transform(data)).MicroAccuracy;
        double windowAccuracy = ml.MulticlassClassification.Evaluate(windowed.Transform(data)).MicroAccuracy;
        Assert.That(headAccuracy, Is.LessThan(0.75), "the first 8 words say nothing");
        Assert.That(windowAccuracy, Is.GreaterThan(0.95), "windows of 8 every 4 words see the last ones");

        string path = Path.Combine(TestData.ScratchDirectory(), "windows.zip");
        ml.Model.Save(windowed, data.Schema, path);
        var loaded = new MLContext(seed: 2).Model.Load(path, out _);
        var scores = windowed.Transform(data).GetColumn<float[]>("Score").ToList();
        Assert.That(loaded.Transform(data).GetColumn<float[]>("Score").ToList(), Is.EqualTo(scores));
        var engine = new MLContext().Model.CreatePredictionEngine<LabeledText, ScoreRow>(loaded);
        Assert.That(engine.Predict(rows[3]).Score, Is.EqualTo(scores[3]).Within(1e-5f), "one text alone, its windows pooled as in a batch");
        var classifier = ((IEnumerable<ITransformer>)windowed).OfType<SequenceClassificationTransformer>().Single();
        Assert.That(() => classifier.ExportNetworkToOnnx(new MemoryStream()), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("windows"));
    }

    [Test]
    public void AStrideThatWouldSkipIdsOrAnRnnIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());

        Assert.That(() => Pipeline(ml, Transformer(9)).Fit(data), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("give at most 8"));
        var rnn = Pipelines.Small();
        rnn.WindowStride = 4;
        Assert.That(rnn.Validate, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("an RNN reads whole sequences"));
    }

    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
