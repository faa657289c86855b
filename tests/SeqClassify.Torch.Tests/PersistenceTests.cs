namespace SeqClassify.Torch.Tests;

[TestFixture]
public class PersistenceTests
{
    [Test]
    public void ExportThenImportGivesIdenticalLogits()
    {
        var batch = TestModels.Batch(TestModels.RandomSequences(5, 2, 8));
        using var trained = new SequenceClassifierModel(TestModels.TokenOptions(RnnCellType.Lstm, true, SequencePooling.Mean));
        trained.TrainStep(batch, [0, 1, 2], 0.05);
        var otherSeed = TestModels.TokenOptions(RnnCellType.Lstm, true, SequencePooling.Mean);
        otherSeed.Seed = 99;
        using var restored = new SequenceClassifierModel(otherSeed);
        Assert.That(restored.Predict(batch, ModelOutput.Logits), Is.Not.EqualTo(trained.Predict(batch, ModelOutput.Logits)));

        restored.ImportParameters(trained.ExportParameters());

        Assert.That(restored.Predict(batch, ModelOutput.Logits), Is.EqualTo(trained.Predict(batch, ModelOutput.Logits)));
    }

    [Test]
    public void ExportedArchiveNamesEveryParameterWithItsShape()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions(RnnCellType.Gru, true));
        var tensors = TensorArchive.Read(model.ExportParameters());

        Assert.That(tensors.Select(t => t.Name), Does.Contain("embedding.weight").And.Contain("rnn.weight_ih_l0_reverse").And.Contain("fc.bias"));
        Assert.That(tensors.Single(t => t.Name == "embedding.weight").Shape, Is.EqualTo(new long[] { TestModels.Vocabulary, 8 }));
        Assert.That(tensors.Sum(t => t.ElementCount), Is.EqualTo(model.ParameterCount));
    }

    [Test]
    public void ImportIntoAModelOfAnotherShapeFailsAndNamesTheParameter()
    {
        using var small = new SequenceClassifierModel(TestModels.TokenOptions());
        var wider = TestModels.TokenOptions();
        wider.HiddenSize = 10;
        using var other = new SequenceClassifierModel(wider);
        var batch = TestModels.Batch(TestModels.RandomSequences(3));
        float[] before = other.Predict(batch);

        var error = Assert.Throws<SeqClassifyException>(() => other.ImportParameters(small.ExportParameters()));

        Assert.That(error!.Message, Does.Contain("rnn.weight_ih_l0").And.Contain("[18, 8]").And.Contain("[30, 8]"));
        Assert.That(other.Predict(batch), Is.EqualTo(before), "a refused import changes nothing");
    }

    [TestCase(float.NaN, "NaN")]
    [TestCase(float.PositiveInfinity, "+Inf")]
    [TestCase(float.NegativeInfinity, "-Inf")]
    public void WeightsThatAreNotFiniteAreRefusedNamingTheParameter(float bad, string shown)
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        var batch = TestModels.Batch(TestModels.RandomSequences(3));
        float[] before = model.Predict(batch);
        var tensors = TensorArchive.Read(model.ExportParameters()).ToList();
        int head = tensors.FindIndex(t => t.Name == "fc.weight");
        var floats = tensors[head].Floats!.ToArray();
        floats[4] = bad;
        tensors[head] = tensors[head] with { Floats = floats };

        var error = Assert.Throws<SeqClassifyException>(() => model.ImportParameters(TensorArchive.Write(tensors)));

        Assert.That(error!.Message, Does.Contain("parameter 'fc.weight' holds a value that is not finite").And.Contain($"({shown} at flat index 4)"));
        Assert.That(model.Predict(batch), Is.EqualTo(before), "a refused import changes nothing");
    }

    [Test]
    public void ImportOfAnotherCellFailsNamingTheMissingParameter()
    {
        using var gru = new SequenceClassifierModel(TestModels.TokenOptions(RnnCellType.Gru, true));
        using var uni = new SequenceClassifierModel(TestModels.TokenOptions(RnnCellType.Gru, false));

        var error = Assert.Throws<SeqClassifyException>(() => uni.ImportParameters(gru.ExportParameters()));

        Assert.That(error!.Message, Does.Contain("_reverse"));
    }

    [TestCase(0)]
    [TestCase(7)]
    [TestCase(40)]
    public void TruncatedArchiveIsRefusedWithTheOffset(int keep)
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        byte[] archive = model.ExportParameters();

        var error = Assert.Throws<SeqClassifyException>(() => model.ImportParameters(archive.AsSpan(0, keep)));

        Assert.That(error!.Message, Does.Contain("truncated").Or.Contain("SCTENSOR"));
    }

    [Test]
    public void ManagedAndNativeArchivesAgree()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        byte[] native = model.ExportParameters();

        Assert.That(TensorArchive.Write(TensorArchive.Read(native)), Is.EqualTo(native));
    }
}
