using SeqClassify.MLNet.Training;
using SeqClassify.Testing;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// The trainer that takes text columns as ML.NET's TextClassification does, on a tiny random BERT folder
/// (tests/fixtures/make_pretrained_fixtures.py): single sentences and sentence pairs, fit, save, load.
/// </summary>
[TestFixture]
public class PretrainedTextClassificationTests
{
    private static string TinyBert => Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained", "tiny-bert");

    public sealed class PairRow
    {
        public string Label { get; set; } = "";
        public string Premise { get; set; } = "";
        public string Hypothesis { get; set; } = "";
    }

    private static SequenceClassificationOptions Quick()
    {
        var options = SequenceClassificationOptions.FineTuning(TinyBert);
        options.LearningRate = 1e-2;
        options.Epochs = 8;
        options.BatchSize = 8;
        options.ValidationFraction = 0;
        return options;
    }

    [Test]
    public void TextColumnsTrainAndTheZipPredictsTheSame()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Repeat(Pipelines.SentenceRows, 4).SelectMany(rows => rows));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.PretrainedTextClassification(TinyBert, sentence1ColumnName: "Text", maximumLength: 20, options: Quick()));

        var model = pipeline.Fit(data);

        var history = model.LastTransformer.LastTransformer.History;
        Assert.That(history.Epochs[^1].TrainLoss, Is.LessThan(history.Epochs[0].TrainLoss));
        string path = Path.Combine(TestData.ScratchDirectory(), "tiny-text.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = new MLContext(seed: 2).Model.Load(path, out _);
        Assert.That(loaded.Transform(data).GetColumn<float[]>("Score").ToList(), Is.EqualTo(model.Transform(data).GetColumn<float[]>("Score").ToList()));
    }

    [Test]
    public void TwoColumnsAreSentencePairs()
    {
        var ml = new MLContext(seed: 1);
        PairRow[] rows =
        [
            new() { Label = "same", Premise = "the movie is good", Hypothesis = "the film is great" },
            new() { Label = "different", Premise = "the movie is good", Hypothesis = "the film is awful" },
            new() { Label = "same", Premise = "the plot was dull", Hypothesis = "the story was boring" },
            new() { Label = "different", Premise = "the plot was dull", Hypothesis = "the story was fun" },
        ];
        var data = ml.Data.LoadFromEnumerable(Enumerable.Repeat(rows, 4).SelectMany(r => r));
        var trainer = ml.MulticlassClassification.Trainers.PretrainedTextClassification(TinyBert, sentence1ColumnName: "Premise", sentence2ColumnName: "Hypothesis",
            maximumLength: 20, options: Quick());

        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(data);
        var ids = model.Transform(data).GetColumn<long[]>("Ids").First();

        // [CLS] the movie is good [SEP] the film is great [SEP], typed 0 then 1 by the engine from the first [SEP].
        Assert.That(ids, Is.EqualTo(new long[] { 2, 5, 7, 9, 11, 3, 5, 8, 9, 13, 3 }));
        Assert.That(model.LastTransformer.LastTransformer.ModelOptions.SegmentSeparatorId, Is.EqualTo(3));
        var history = model.LastTransformer.LastTransformer.History;
        Assert.That(history.Epochs[^1].TrainLoss, Is.LessThan(history.Epochs[0].TrainLoss));
    }

    [Test]
    public void OptionsForAnotherFolderAreRefused()
    {
        var ml = new MLContext(seed: 1);

        var error = Assert.Throws<ArgumentException>(() =>
            ml.MulticlassClassification.Trainers.PretrainedTextClassification(TinyBert, options: SequenceClassificationOptions.FineTuning("elsewhere")));

        Assert.That(error!.Message, Does.Contain("options.PretrainedModel is 'elsewhere'"));
    }
}
