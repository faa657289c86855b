namespace SeqClassify.MLNet.Tests;

/// <summary>Schema errors and bad options: ML.NET-style exceptions that name the column or option.</summary>
[TestFixture]
public class BadInputTests
{
    [Test]
    public void AMissingColumnIsArgumentOutOfRangeNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var trainer = ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small());

        Assert.That(() => trainer.Fit(data), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'Ids'"));
        Assert.That(() => ml.Transforms.Text.MapTokensToIds(inputColumnName: "Nope").Fit(data),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'Nope'"));
    }

    // Issue 29, item 10: a null folder was "Parameter 'path1'" (from Path.Combine).
    [Test]
    public void ANullPretrainedFolderIsNamed()
    {
        var ml = new MLContext(seed: 1);

        Assert.That(() => ml.Transforms.Text.TokenizeForPretrained(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("folder"));
    }

    // Issue 29, item 10: an empty IDataView was reported as "1 class(es)".
    [Test]
    public void EmptyTrainingDataIsNamedAsEmpty()
    {
        var ml = new MLContext(seed: 1);
        var empty = ml.Data.LoadFromEnumerable(new List<LabeledText>());
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds()).Append(ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small()));

        Assert.That(() => pipeline.Fit(empty), Throws.InvalidOperationException.With.Message.Contains("The training data has no rows"));
    }

    [Test]
    public void AColumnOfTheWrongTypeIsInvalidOperationNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);

        Assert.That(() => ml.Transforms.Text.MapTokensToIds(inputColumnName: "Text").Fit(data),
            Throws.InvalidOperationException.With.Message.Contains("'Text'").And.Message.Contains("vector of Text tokens"));
        var ids = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Append(ml.Transforms.Text.MapTokensToIds()).Fit(data).Transform(data);
        Assert.That(() => ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small()).Fit(ids),
            Throws.InvalidOperationException.With.Message.Contains("'Label'").And.Message.Contains("key"));
        Assert.That(() => ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small()).GetOutputSchema(Pipelines.Shape(ids.Schema)),
            Throws.InvalidOperationException.With.Message.Contains("'Label'"));
    }

    [Test]
    public void FeatureVectorsThatAreNotWholeStepsAreRefusedNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = TrainingTests.NumericRows(10, seed: 1).ToList();
        rows[4].Steps = [1f, 2f, 3f];
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions { FeatureColumnName = "Steps", FeatureSize = 2, PretrainedEmbeddings = PretrainedModelKind.None }));

        Assert.That(() => pipeline.Fit(ml.Data.LoadFromEnumerable(rows)),
            Throws.InvalidOperationException.With.Message.Contains("Row 4").And.Message.Contains("not a positive multiple of FeatureSize 2"));
    }

    [TestCase(nameof(SequenceClassificationOptions.HiddenSize))]
    [TestCase(nameof(SequenceClassificationOptions.Epochs))]
    [TestCase(nameof(SequenceClassificationOptions.BatchSize))]
    [TestCase(nameof(SequenceClassificationOptions.FeatureSize))]
    public void OptionsOutOfRangeAreRefusedBeforeAnyDataIsRead(string option)
    {
        var options = Pipelines.Small();
        typeof(SequenceClassificationOptions).GetProperty(option)!.SetValue(options, -1);

        Assert.That(() => new MLContext().MulticlassClassification.Trainers.SequenceClassification(options),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains(option));
    }

    [Test]
    public void ALabelNeverSeenInTrainingIsRefusedNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        var prep = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds()).Fit(Pipelines.Sentences(ml));
        var other = ml.Data.LoadFromEnumerable(new[] { new LabeledText { Label = "pos", Text = "a" }, new LabeledText { Label = "meh", Text = "b" } });

        Assert.That(() => ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small()).Fit(prep.Transform(other)),
            Throws.InvalidOperationException.With.Message.Contains("Row 1").And.Message.Contains("'Label'"));
    }
}
