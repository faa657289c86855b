namespace SeqClassify.Torch.Tests;

/// <summary>Every bad input arrives as a .NET exception that names it; none reaches libtorch unchecked.</summary>
[TestFixture]
public class BadInputTests
{
    private SequenceClassifierModel _model = null!;

    [SetUp]
    public void CreateModel() => _model = new SequenceClassifierModel(TestModels.TokenOptions());

    [TearDown]
    public void DisposeModel() => _model.Dispose();

    [TestCase(0)]
    [TestCase(-3)]
    public void ZeroOrNegativeLengthIsRefusedWithItsRow(long length)
    {
        var batch = SequenceBatch.FromPaddedTokenIds(new long[8], [2, length], 4);

        var error = Assert.Throws<ArgumentException>(() => _model.Predict(batch));

        Assert.That(error!.Message, Does.Contain("row 1").And.Contain($"length {length}"));
    }

    [Test]
    public void LengthLongerThanThePaddedRowIsRefused()
    {
        var batch = SequenceBatch.FromPaddedTokenIds(new long[] { 2, 3, 4, 5 }, [5], 4);

        var error = Assert.Throws<ArgumentException>(() => _model.TrainStep(batch, [0], 0.01));

        Assert.That(error!.Message, Does.Contain("row 0").And.Contain("length 5").And.Contain("[1, 4]"));
    }

    [TestCase(30)]
    [TestCase(-1)]
    public void TokenIdOutsideTheVocabularyIsRefused(long id)
    {
        var batch = SequenceBatch.FromPaddedTokenIds(new long[] { 2, 3, 4, 5, 6, id }, [3, 3], 3);

        var error = Assert.Throws<ArgumentException>(() => _model.Predict(batch));

        Assert.That(error!.Message, Does.Contain("row 1, step 2").And.Contain($"token id {id}").And.Contain("[0, 30)"));
    }

    [TestCase(3)]
    [TestCase(-1)]
    public void LabelOutsideTheClassesIsRefused(long label)
    {
        var batch = TestModels.Batch(TestModels.RandomSequences(2, 2));

        var error = Assert.Throws<ArgumentException>(() => _model.TrainStep(batch, [0, label], 0.01));

        Assert.That(error!.Message, Does.Contain("row 1").And.Contain($"label {label}").And.Contain("[0, 3)"));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void NonFiniteFeatureIsRefused(float value)
    {
        using var model = new SequenceClassifierModel(new SequenceModelOptions { InputSize = 2, HiddenSize = 4, NumClasses = 2, Bidirectional = false, Pooling = SequencePooling.Last, Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0 });
        var batch = SequenceBatch.FromFeatures([[[0f, 1f], [value, 2f]]], 2);

        var error = Assert.Throws<ArgumentException>(() => model.Predict(batch));

        Assert.That(error!.Message, Does.Contain("row 0, step 1, feature 0").And.Contain("not finite"));
    }

    [Test]
    public void EmptyBatchIsRefused()
    {
        Assert.That(() => SequenceBatch.FromTokenIds([]), Throws.ArgumentException.With.Message.Contains("at least one"));
        Assert.That(() => SequenceBatch.FromPaddedTokenIds(Array.Empty<long>(), [], 3), Throws.ArgumentException.With.Message.Contains("at least one row"));
    }

    [Test]
    public void EmptySequenceIsRefusedByRow()
    {
        var batch = SequenceBatch.FromTokenIds([new long[] { 4, 5 }, Array.Empty<long>()]);

        Assert.That(() => _model.Predict(batch), Throws.ArgumentException.With.Message.Contains("row 1: length 0"));
    }

    [Test]
    public void WrongNumberOfLabelsIsRefused()
    {
        var batch = TestModels.Batch(TestModels.RandomSequences(2, 2));
        Assert.That(() => _model.TrainStep(batch, [0], 0.01), Throws.ArgumentException.With.Message.Contains("1 labels for a batch of 2"));
    }

    [Test]
    public void TokenIdsGivenToAFeatureModelAreRefused()
    {
        using var model = new SequenceClassifierModel(new SequenceModelOptions { InputSize = 2, HiddenSize = 4, NumClasses = 2, Bidirectional = false, Pooling = SequencePooling.Last, Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0 });
        Assert.That(() => model.Predict(TestModels.Batch(TestModels.RandomSequences(2))),
            Throws.ArgumentException.With.Message.Contains("takes feature vectors"));
    }

    [TestCase(nameof(SequenceModelOptions.HiddenSize), 0, "HiddenSize must be between 1")]
    [TestCase(nameof(SequenceModelOptions.NumClasses), 1, "NumClasses must be at least 2 for a SingleLabel model, got 1")]
    [TestCase(nameof(SequenceModelOptions.NumLayers), 0, "NumLayers must be between 1")]
    public void OutOfRangeOptionIsRefusedByName(string property, int value, string expected)
    {
        var options = TestModels.TokenOptions();
        typeof(SequenceModelOptions).GetProperty(property)!.SetValue(options, value);

        Assert.That(() => new SequenceClassifierModel(options), Throws.InstanceOf<ArgumentException>().With.Message.Contains(expected));
    }

    [Test]
    public void PretrainedMatrixOfTheWrongSizeIsRefused()
    {
        var options = TestModels.TokenOptions();
        options.PretrainedEmbeddings = new float[10];
        Assert.That(() => new SequenceClassifierModel(options), Throws.ArgumentException.With.Message.Contains("PretrainedEmbeddings"));
    }

    [Test]
    public void CallsOnADisposedModelThrowObjectDisposed()
    {
        var batch = TestModels.Batch(TestModels.RandomSequences(2));
        _model.Dispose();

        Assert.That(() => _model.Predict(batch), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => _model.TrainStep(batch, [0], 0.1), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => _model.ExportParameters(), Throws.TypeOf<ObjectDisposedException>());
        Assert.DoesNotThrow(() => _model.Dispose(), "a second Dispose is harmless");
    }
}
