namespace SeqClassify.Torch.Tests;

/// <summary>The fused recurrent layer against libtorch's own RNN modules, on the same weights.</summary>
[TestFixture]
public class FusedRnnTests
{
    [TestCase(RnnCellType.Rnn, false)]
    [TestCase(RnnCellType.RnnRelu, true)]
    [TestCase(RnnCellType.Gru, false)]
    [TestCase(RnnCellType.Gru, true)]
    [TestCase(RnnCellType.Lstm, false)]
    [TestCase(RnnCellType.Lstm, true)]
    public void FusedLayerGivesLibtorchsLogitsAndGradients(RnnCellType cell, bool bidirectional)
    {
        var fusedOptions = TestModels.TokenOptions(cell, bidirectional, SequencePooling.Last, layers: 2);
        var libtorchOptions = TestModels.TokenOptions(cell, bidirectional, SequencePooling.Last, layers: 2);
        libtorchOptions.UseLibtorchRnn = true;
        using var fused = new SequenceClassifierModel(fusedOptions);
        using var libtorch = new SequenceClassifierModel(libtorchOptions);
        libtorch.ImportParameters(fused.ExportParameters());
        var batch = TestModels.Batch(TestModels.RandomSequences(7, 1, 12, 4, 12, 3, 9));
        long[] labels = [0, 1, 2, 0, 1, 2, 0];

        Assert.That(fused.Predict(batch, ModelOutput.Logits), Is.EqualTo(libtorch.Predict(batch, ModelOutput.Logits)).Within(1e-5f));
        Assert.That(fused.ComputeGradients(batch, labels), Is.EqualTo(libtorch.ComputeGradients(batch, labels)).Within(1e-5));
        var expected = TensorArchive.Read(libtorch.ExportGradients()).ToDictionary(t => t.Name);
        foreach (var gradient in TensorArchive.Read(fused.ExportGradients()))
        {
            Assert.That(gradient.Floats, Is.EqualTo(expected[gradient.Name].Floats).Within(1e-5f), gradient.Name);
        }
    }

    [Test]
    public void TrainingWithEitherPathEndsAtTheSameWeights()
    {
        var options = TestModels.TokenOptions(RnnCellType.Gru, true, SequencePooling.Mean);
        using var fused = new SequenceClassifierModel(options);
        options.UseLibtorchRnn = true;
        using var libtorch = new SequenceClassifierModel(options);
        var batch = TestModels.Batch(TestModels.RandomSequences(5, 2, 8, 8));
        for (int i = 0; i < 10; i++)
        {
            fused.TrainStep(batch, [0, 1, 2, 1], 0.01);
            libtorch.TrainStep(batch, [0, 1, 2, 1], 0.01);
        }

        var a = TensorArchive.Read(fused.ExportParameters());
        var b = TensorArchive.Read(libtorch.ExportParameters()).ToDictionary(t => t.Name);
        foreach (var tensor in a)
        {
            Assert.That(tensor.Floats, Is.EqualTo(b[tensor.Name].Floats).Within(1e-4f), tensor.Name);
        }
    }
}
