using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Tests;

/// <summary>Every bad input of the pipeline gets an exception that names it.</summary>
[TestFixture]
public class BadInputTests
{
    [Test]
    public void AMissingColumnIsNamedBeforeAnyTraining()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "x" } });

        Assert.That(() => Pipelines.Text(ml).Fit(data),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'Label' not found"));
    }

    [Test]
    public void AMisnamedColumnListsTheColumnsThereAre()
    {
        var ml = new MLContext();
        var data = Pipelines.Sentences(ml);

        Assert.That(() => ml.Transforms.Text.TokenizeIntoWords("Tokens", "Review").Fit(data),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'Review' not found").And.Message.Contains("Text: Text"));
    }

    [Test]
    public void AColumnOfTheWrongTypeIsNamedWithWhatWasExpected()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Numeric { Text = 3f } });

        Assert.That(() => ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(data),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'Text' has type Single; expected Text"));
    }

    [Test]
    public void TheTrainerRefusesTextWhereIdsAreExpected()
    {
        var ml = new MLContext();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.SequenceClassification.Trainers.Rnn(featureColumnName: "Text"));

        Assert.That(() => pipeline.Fit(Pipelines.Sentences(ml)),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'Text' has type Text; expected Vector<Int64> token ids"));
    }

    [TestCase("")]
    [TestCase("   \t ")]
    public void EmptyOrWhitespaceTextIsClassifiedFromASingleUnknownToken(string text)
    {
        var ml = new MLContext(seed: 1);
        var model = Pipelines.Text(ml).Fit(Pipelines.Sentences(ml));
        var scored = model.Transform(ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = text } })).GetRows().Single();

        Assert.That(scored.GetValue<long[]>("Ids"), Is.EqualTo(new long[] { 1 }));
        Assert.That(scored.GetValue<string>("PredictedLabel"), Is.AnyOf("pos", "neg"));
    }

    [Test]
    public void ALabelThatTrainingNeverSawIsRefusedAtEvaluationWithItsRow()
    {
        var ml = new MLContext(seed: 1);
        var model = Pipelines.Text(ml).Fit(Pipelines.Sentences(ml));
        var test = ml.Data.LoadFromEnumerable(new[]
        {
            new LabeledText { Label = "pos", Text = "great" }, new LabeledText { Label = "neutral", Text = "fine" },
        });

        Assert.That(() => ml.SequenceClassification.Evaluate(model.Transform(test)),
            Throws.InvalidOperationException.With.Message.Contains("Row 1").And.Message.Contains("never seen in training"));
    }

    [Test]
    public void ANullLabelIsRefusedAtTrainingWithItsRow()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new LabeledText { Label = "pos", Text = "great" }, new LabeledText { Label = "neg", Text = "bad" },
            new LabeledText { Label = null!, Text = "what" },
        });

        Assert.That(() => Pipelines.Text(ml).Fit(data),
            Throws.InvalidOperationException.With.Message.Contains("Row 2").And.Message.Contains("label column 'Label' is missing"));
    }

    [Test]
    public void OneClassIsNotEnoughToTrain()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new LabeledText { Label = "pos", Text = "a" }, new LabeledText { Label = "pos", Text = "b" } });

        Assert.That(() => Pipelines.Text(ml).Fit(data), Throws.InvalidOperationException.With.Message.Contains("at least 2 are needed"));
    }

    [TestCase(nameof(RnnTrainerOptions.Epochs), 0)]
    [TestCase(nameof(RnnTrainerOptions.BatchSize), -1)]
    [TestCase(nameof(RnnTrainerOptions.HiddenSize), 0)]
    public void AnOutOfRangeTrainerOptionIsNamed(string option, int value)
    {
        var options = new RnnTrainerOptions();
        typeof(RnnTrainerOptions).GetProperty(option)!.SetValue(options, value);

        Assert.That(() => new MLContext().SequenceClassification.Trainers.Rnn(options),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains(option));
    }

    [Test]
    public void AMissingPretrainedFileIsNamed()
    {
        var options = new RnnTrainerOptions { PretrainedEmbeddingsPath = "/no/vectors.vec" };
        Assert.That(() => new MLContext().SequenceClassification.Trainers.Rnn(options),
            Throws.TypeOf<FileNotFoundException>().With.Message.Contains("/no/vectors.vec"));
    }

    [Test]
    public void ADisposedModelRefusesToPredict()
    {
        // Estimators have no Transform, so an unfitted pipeline cannot predict at all (a compile
        // error); what can go wrong at run time is using a model after it was disposed.
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var model = Pipelines.Text(ml).Fit(data);
        ((SequenceClassificationTransformer)model.Transformers[3]).Dispose();

        Assert.That(() => model.Transform(data).GetRows().ToList(), Throws.TypeOf<ObjectDisposedException>());
    }

    public sealed class Numeric
    {
        public float Text { get; set; }
    }
}
