namespace SeqClassify.Torch.Tests;

/// <summary>
/// The Transformer encoder and attention pooling beyond the PyTorch fixtures: padding never changes a
/// row's result, the attention weights are a distribution over the valid steps, and options or
/// inputs out of range are refused with a message naming them.
/// </summary>
[TestFixture]
public class TransformerTests
{
    private static SequenceModelOptions Transformer(SequencePooling pooling = SequencePooling.Mean) => TestModels.TransformerOptions(pooling);

    private static IEnumerable<TestCaseData> PaddingCases()
    {
        foreach (var pooling in new[] { SequencePooling.Mean, SequencePooling.Max, SequencePooling.First, SequencePooling.Attention })
        {
            yield return new TestCaseData(SequenceEncoder.Transformer, pooling).SetName($"Transformer_{pooling}");
        }
        yield return new TestCaseData(SequenceEncoder.Rnn, SequencePooling.Attention).SetName("BidirectionalGru_Attention");
        yield return new TestCaseData(SequenceEncoder.Rnn, SequencePooling.First).SetName("BidirectionalGru_First");
    }

    [TestCaseSource(nameof(PaddingCases))]
    public void EachRowOfAPaddedBatchScoresAsItDoesAlone(SequenceEncoder encoder, SequencePooling pooling)
    {
        var options = encoder == SequenceEncoder.Transformer ? Transformer(pooling) : TestModels.TokenOptions(bidirectional: true, pooling: pooling);
        using var model = new SequenceClassifierModel(options);
        var sequences = TestModels.RandomSequences(5, 9, 1, 3);
        // Padded beyond the longest row too (11 > 9): positions no row reaches must not matter either.
        var padded = SequenceBatch.FromPaddedTokenIds(
            sequences.SelectMany(s => s.Concat(Enumerable.Repeat(0L, 11 - s.Length))).ToArray(),
            sequences.Select(s => (long)s.Length).ToArray(), 11);

        float[] together = model.Predict(padded, ModelOutput.Logits);

        for (int row = 0; row < sequences.Length; row++)
        {
            float[] alone = model.Predict(TestModels.Batch([sequences[row]]), ModelOutput.Logits);
            Assert.That(TestModels.Rows(together, 3, row, 1), Is.EqualTo(alone).Within(1e-5f), $"row {row}");
        }
    }

    [TestCase(SequenceEncoder.Transformer)]
    [TestCase(SequenceEncoder.Rnn)]
    public void AttentionWeightsAreADistributionOverTheValidSteps(SequenceEncoder encoder)
    {
        var options = encoder == SequenceEncoder.Transformer
            ? Transformer(SequencePooling.Attention)
            : TestModels.TokenOptions(RnnCellType.Lstm, bidirectional: true, pooling: SequencePooling.Attention);
        using var model = new SequenceClassifierModel(options);
        var batch = TestModels.Batch(TestModels.RandomSequences(4, 7, 1));

        var (values, weights) = model.PredictWithAttention(batch, ModelOutput.Logits);

        Assert.That(values, Is.EqualTo(model.Predict(batch, ModelOutput.Logits)).Within(1e-6f), "the same scores as Predict");
        int[] lengths = [4, 7, 1];
        for (int row = 0; row < 3; row++)
        {
            var rowWeights = weights.AsSpan(row * 7, 7).ToArray();
            Assert.That(rowWeights.Take(lengths[row]).Sum(), Is.EqualTo(1f).Within(1e-5f), $"row {row} sums to 1");
            Assert.That(rowWeights.Take(lengths[row]), Is.All.GreaterThan(0f), $"row {row}: every valid step weighs");
            Assert.That(rowWeights.Skip(lengths[row]), Is.All.EqualTo(0f), $"row {row}: padding weighs nothing");
        }
    }

    [Test]
    public void AttentionWeightsOfAModelWithoutAttentionPoolingAreRefused()
    {
        using var model = new SequenceClassifierModel(Transformer(SequencePooling.Mean));
        Assert.That(() => model.PredictWithAttention(TestModels.Batch(TestModels.RandomSequences(3))),
            Throws.InvalidOperationException.With.Message.Contains("pools by Mean, not Attention"));
    }

    [Test]
    public void ASequenceLongerThanMaxPositionsIsRefusedNamingItsRow()
    {
        using var model = new SequenceClassifierModel(Transformer());
        var batch = TestModels.Batch(TestModels.RandomSequences(3, 13));

        Assert.That(() => model.Predict(batch), Throws.ArgumentException.With.Message.Contains("row 1: length 13 exceeds the model's max_positions (12)"));
        Assert.That(() => model.TrainStep(batch, [0, 1], 0.01), Throws.ArgumentException.With.Message.Contains("row 1: length 13"));
        // A batch padded to 13 whose rows are all shorter is fine: only real steps count.
        var padded = SequenceBatch.FromPaddedTokenIds(Enumerable.Repeat(2L, 26).ToArray(), [12, 3], 13);
        Assert.That(model.Predict(padded), Has.Length.EqualTo(6));
    }

    [TestCase(3, SequencePooling.Mean, "Heads (3) must divide HiddenSize (8)", "heads (3) must divide the model width hidden_size (8)")]
    [TestCase(2, SequencePooling.Last, "A Transformer has no final hidden state", "a Transformer has no final hidden state")]
    public void InconsistentOptionsAreRefusedByTheLibraryAndByTheEngine(int heads, SequencePooling pooling, string managed, string native)
    {
        var options = Transformer(pooling);
        options.Heads = heads;
        Assert.That(() => new SequenceClassifierModel(options), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains(managed));
        // The engine's own check, for callers of its C ABI that skip the library's.
        Assert.That(() => Interop.NativeModel.Create(options), Throws.ArgumentException.With.Message.Contains(native));
    }

    [Test]
    public void GradientsThroughAttentionDropoutMatchFiniteDifferences()
    {
        // PyTorch's masks differ from the engine's, so no fixture can check the backward pass with
        // dropout on; a directional finite difference can: a model created with the same seed draws
        // the same masks, so the loss is a smooth function of the parameters around P.
        var options = Transformer(SequencePooling.Mean);
        options.TransformerDropout = 0.3f;
        options.Activation = TransformerActivation.Gelu;
        var batch = TestModels.Batch(TestModels.RandomSequences(4, 7, 1, 6));
        long[] labels = [0, 1, 2, 1];
        byte[] initial;
        using (var model = new SequenceClassifierModel(options)) initial = model.ExportParameters();
        var parameters = TensorArchive.Read(initial);
        var random = new Random(3);
        var direction = parameters.Select(t => t.Floats!.Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToList();

        double LossAt(double step, out IReadOnlyList<NamedTensor> gradients)
        {
            using var model = new SequenceClassifierModel(options);
            model.ImportParameters(TensorArchive.Write(parameters.Select((t, i) =>
                t with { Floats = t.Floats!.Select((v, j) => (float)(v + step * direction[i][j])).ToArray() })));
            double loss = model.ComputeGradients(batch, labels);
            gradients = TensorArchive.Read(model.ExportGradients());
            return loss;
        }

        const double epsilon = 1e-3;
        LossAt(0, out var analytic);
        double numeric = (LossAt(epsilon, out _) - LossAt(-epsilon, out _)) / (2 * epsilon);
        double projected = analytic.Select((g, i) => g.Floats!.Select((v, j) => (double)v * direction[i][j]).Sum()).Sum();

        Assert.That(Math.Abs(projected), Is.GreaterThan(0.05), "a direction the loss changes along");
        Assert.That(numeric, Is.EqualTo(projected).Within(0.02 * Math.Abs(projected)));
    }
}
