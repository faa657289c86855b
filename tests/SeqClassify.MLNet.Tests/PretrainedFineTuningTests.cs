using SeqClassify.Testing;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>Fine-tuning the shared pretrained MiniLM folder in an ML.NET pipeline: fit, evaluate, save, load.</summary>
[TestFixture]
public class PretrainedFineTuningTests
{
    private static string MiniLM => Path.Combine(RepositoryPaths.Shared, "models", "all-MiniLM-L6-v2");

    [Test]
    public void APipelineFineTunesTheFolderAndTheZipPredictsAloneBitForBit()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Repeat(Pipelines.SentenceRows, 4).SelectMany(rows => rows));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeForPretrained(MiniLM, "Ids", "Text", maximumLength: 32))
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions
            {
                PretrainedModel = MiniLM, Pooling = SequencePooling.Mean, LearningRate = 1e-4, Epochs = 4, BatchSize = 8, ValidationFraction = 0,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var model = pipeline.Fit(data);

        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        var history = model.Classifier().History;
        Assert.That(metrics.MicroAccuracy, Is.EqualTo(1.0), "32 rows of 8 sentences, learned");
        Assert.That(history.PretrainedEmbeddings, Is.EqualTo("all-MiniLM-L6-v2"));
        Assert.That(history.Epochs[^1].TrainLoss, Is.LessThan(history.Epochs[0].TrainLoss));
        Assert.That(model.Classifier().ParameterCount, Is.EqualTo(22_713_216 - 147_840 + 384 * 2 + 2), "the encoder (MiniLM less its pooler, which mean pooling does not read) and a new 2-class head");

        string path = Path.Combine(TestData.ScratchDirectory(), "minilm.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = new MLContext(seed: 2).Model.Load(path, out _);
        var before = model.Transform(data).GetColumn<float[]>("Score").ToList();
        var after = loaded.Transform(data).GetColumn<float[]>("Score").ToList();
        Assert.That(after, Is.EqualTo(before), "the .zip carries the tokenizer and every weight");
    }
}
