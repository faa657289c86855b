namespace SeqClassify.Torch.Tests;

/// <summary>Packing must change nothing: a row of an unsorted, padded batch scores as that sequence alone.</summary>
[TestFixture]
public class PackingTests
{
    private const float Tolerance = 1e-5f;

    [TestCase(RnnCellType.Gru, false, SequencePooling.Last)]
    [TestCase(RnnCellType.Gru, true, SequencePooling.Last)]
    [TestCase(RnnCellType.Lstm, false, SequencePooling.Last)]
    [TestCase(RnnCellType.Lstm, true, SequencePooling.Last)]
    [TestCase(RnnCellType.Gru, true, SequencePooling.Mean)]
    [TestCase(RnnCellType.Lstm, true, SequencePooling.Max)]
    [TestCase(RnnCellType.Rnn, true, SequencePooling.Max)]
    public void PackedUnsortedBatchMatchesEachSequenceAlone(RnnCellType cell, bool bidirectional, SequencePooling pooling)
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions(cell, bidirectional, pooling, layers: 2));
        var sequences = TestModels.RandomSequences(3, 9, 1, 6, 9, 2);

        float[] together = model.Predict(TestModels.Batch(sequences), ModelOutput.Logits);

        for (int row = 0; row < sequences.Length; row++)
        {
            float[] alone = model.Predict(TestModels.Batch([sequences[row]]), ModelOutput.Logits);
            Assert.That(TestModels.Rows(together, model.NumClasses, row, 1), Is.EqualTo(alone).Within(Tolerance), $"row {row}");
        }
    }

    [Test]
    public void PaddingValuesNeverLeakIntoMeanOrMaxPooling()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions(RnnCellType.Gru, true, SequencePooling.Max));
        long[] ids = [5, 6, 7, 0, 0, 0];
        long[] noisy = [5, 6, 7, 9, 12, 3];  // the same row with junk where padding should be

        var clean = model.Predict(SequenceBatch.FromPaddedTokenIds(ids, [3], 6), ModelOutput.Logits);
        var junk = model.Predict(SequenceBatch.FromPaddedTokenIds(noisy, [3], 6), ModelOutput.Logits);

        Assert.That(junk, Is.EqualTo(clean).Within(Tolerance));
    }

    [Test]
    public void TakingTheLastPaddedOutputInsteadGivesDifferentResults()
    {
        // The tutorials' warning: without packing, the RNN runs over the padding and the "last"
        // output belongs to a pad step. Telling the engine every row is full length does exactly that.
        using var model = new SequenceClassifierModel(TestModels.TokenOptions(RnnCellType.Gru));
        var sequences = TestModels.RandomSequences(2, 8);
        var packed = TestModels.Batch(sequences);
        var unpacked = SequenceBatch.FromPaddedTokenIds(packed.TokenIds64!, [8, 8], 8);

        float[] right = model.Predict(packed, ModelOutput.Logits);
        float[] wrong = model.Predict(unpacked, ModelOutput.Logits);

        float shortRowDifference = TestModels.Rows(right, 3, 0, 1).Zip(TestModels.Rows(wrong, 3, 0, 1), (a, b) => Math.Abs(a - b)).Max();
        Assert.That(shortRowDifference, Is.GreaterThan(1e-3f), "the short row must differ");
        Assert.That(TestModels.Rows(wrong, 3, 1, 1), Is.EqualTo(TestModels.Rows(right, 3, 1, 1)).Within(Tolerance), "the full row must not");
    }
}
