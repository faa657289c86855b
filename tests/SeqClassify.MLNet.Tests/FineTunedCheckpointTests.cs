using SeqClassify.Testing;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// Hugging Face checkpoints already fine-tuned for classification (tiny random BERT and DistilBERT ones,
/// tests/fixtures/make_pretrained_fixtures.py) as a ready ML.NET pipeline: PyTorch's probabilities, the
/// checkpoint's labels, and a .zip that predicts alone.
/// </summary>
[TestFixture]
public class FineTunedCheckpointTests
{
    private static string Pretrained => Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained");

    // The fixture's single-sentence rows (its second row is a sentence pair).
    private static readonly (string Text, int Row)[] Sentences = [("the movie is very good !", 0), ("awful", 2)];

    public sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    [TestCase("bert")]
    [TestCase("distilbert")]
    public void ACheckpointPredictsPyTorchsProbabilitiesAndItsZipNeedsNoFolder(string family)
    {
        // A copy of the folder, deleted before the .zip is loaded.
        string folder = Path.Combine(TestData.ScratchDirectory(), $"tiny-{family}-classifier");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(Pretrained, $"tiny-{family}-classifier"))) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Sentences.Select(s => new TextRow { Text = s.Text }));
        var pipeline = ml.Transforms.Text.TokenizeForPretrained(folder, "Ids", "Text", maximumLength: 20)
            .Append(ml.Transforms.ApplyFineTunedClassifier(folder))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var model = pipeline.Fit(data);
        string path = Path.Combine(TestData.ScratchDirectory(), $"tiny-{family}.zip");
        ml.Model.Save(model, data.Schema, path);
        Directory.Delete(folder, recursive: true);
        var loaded = new MLContext(seed: 2).Model.Load(path, out _);
        var predictions = loaded.Transform(data);

        var fixture = TensorArchive.Read(File.ReadAllBytes(Path.Combine(Pretrained, "tiny_transformers.sct"))).ToDictionary(t => t.Name);
        float[] logits = fixture[$"{family}.logits"].Floats!;
        string[] labels = ["negative", "neutral", "positive"];
        var scores = predictions.GetColumn<float[]>("Score").ToList();
        var predicted = predictions.GetColumn<string>("PredictedLabel").ToList();
        for (int i = 0; i < Sentences.Length; i++)
        {
            var row = logits.AsSpan(Sentences[i].Row * 3, 3).ToArray();
            var expected = Softmax(row);
            Assert.That(scores[i], Is.EqualTo(expected).Within(1e-5f), Sentences[i].Text);
            Assert.That(predicted[i], Is.EqualTo(labels[Array.IndexOf(row, row.Max())]), Sentences[i].Text);
        }
    }

    public sealed class PairRow
    {
        public string Text { get; set; } = "";
        public string Pair { get; set; } = "";
    }

    [Test]
    public void ASentencePairIsEncodedAndTypedAsBertsAndScoresAsPyTorch()
    {
        // The fixture's second row: "the plot was dull" / "but the acting is witty .", token types 1 after the first [SEP].
        string folder = Path.Combine(Pretrained, "tiny-bert-classifier");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new PairRow { Text = "the plot was dull", Pair = "but the acting is witty ." }]);
        var model = ml.Transforms.Text.TokenizeForPretrained(folder, "Ids", "Text", maximumLength: 20, pairColumnName: "Pair")
            .Append(ml.Transforms.ApplyFineTunedClassifier(folder))
            .Fit(data);
        string path = Path.Combine(TestData.ScratchDirectory(), "pair.zip");
        ml.Model.Save(model, data.Schema, path);
        var scored = new MLContext(seed: 2).Model.Load(path, out _).Transform(data);

        var fixture = TensorArchive.Read(File.ReadAllBytes(Path.Combine(Pretrained, "tiny_transformers.sct"))).ToDictionary(t => t.Name);
        var ids = fixture["input.ids"];
        int width = (int)ids.Shape[1];
        Assert.That(scored.GetColumn<long[]>("Ids").Single(), Is.EqualTo(ids.Int64s!.AsSpan(width, width).ToArray()), "the reference tokenizer's pair");
        Assert.That(scored.GetColumn<float[]>("Score").Single(), Is.EqualTo(Softmax(fixture["bert.logits"].Floats!.AsSpan(3, 3).ToArray())).Within(1e-5f));
    }

    [Test]
    public void LabelsGivenReplaceTheCheckpointsAndMustNameEveryClass()
    {
        string folder = Path.Combine(Pretrained, "tiny-bert-classifier");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Sentences.Select(s => new TextRow { Text = s.Text }));
        var tokenize = ml.Transforms.Text.TokenizeForPretrained(folder, "Ids", "Text", maximumLength: 20);

        var model = tokenize.Append(ml.Transforms.ApplyFineTunedClassifier(folder, labels: ["0", "1", "2"])).Fit(data);
        var error = Assert.Throws<ArgumentException>(() => tokenize.Append(ml.Transforms.ApplyFineTunedClassifier(folder, labels: ["0", "1"])).Fit(data));
        var notFineTuned = Assert.Throws<InvalidOperationException>(() =>
            tokenize.Append(ml.Transforms.ApplyFineTunedClassifier(Path.Combine(Pretrained, "tiny-bert"))).Fit(data));

        Assert.That(model.LastTransformer.LabelNames, Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(error!.Message, Does.Contain("2 label names for the 3 classes").And.Contain("negative, neutral, positive"));
        Assert.That(notFineTuned!.Message, Does.Contain("has no sequence-classification head"));
    }

    private static float[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        return e.Select(v => (float)(v / e.Sum())).ToArray();
    }
}
