using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// Batches are bounded by padded tokens as well as rows (issue 13): one very long text shrinks its
/// batch instead of multiplying a whole batch's memory, and every row is still trained on exactly once.
/// </summary>
[TestFixture]
public class BatchPlannerTests
{
    private static Examples WithOneHugeRow(out int huge)
    {
        huge = 7;
        var random = new Random(3);
        int hugeRow = huge;
        var sequences = Enumerable.Range(0, 70)
            .Select(i => (object)Enumerable.Repeat(2L, i == hugeRow ? 100_000 : random.Next(10, 60)).ToArray()).ToList();
        return Examples.Unlabeled(sequences, featureSize: 0);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void AVeryLongTextShrinksItsBatchToTheBudgetAndEveryRowStaysOnce(bool bucketByLength)
    {
        var examples = WithOneHugeRow(out int huge);

        var batches = BatchPlanner.Plan(examples, batchSize: 32, new Random(1), bucketByLength);

        Assert.That(batches.SelectMany(b => b).Order(), Is.EqualTo(Enumerable.Range(0, examples.Count)), "every row once");
        // 262,144 padded tokens hold two rows of 100,000, not 32.
        Assert.That(batches.Single(b => b.Contains(huge)), Has.Length.InRange(1, 2));
        Assert.That(batches, Has.All.Matches<int[]>(b => b.Length <= 32 && (long)b.Length * b.Max(examples.LengthOf) <= BatchPlanner.DefaultTokenBudget));
    }

    [Test]
    public void PredictionBatchesKeepTheSameBudget()
    {
        var examples = WithOneHugeRow(out int huge);

        var batches = BatchPlanner.InLengthOrder(examples, batchSize: 256, BatchPlanner.DefaultTokenBudget);

        Assert.That(batches.SelectMany(b => b).Order(), Is.EqualTo(Enumerable.Range(0, examples.Count)));
        Assert.That(batches.Single(b => b.Contains(huge)), Has.Length.InRange(1, 2));
        Assert.That(batches, Has.All.Matches<int[]>(b => (long)b.Length * b.Max(examples.LengthOf) <= BatchPlanner.DefaultTokenBudget));
    }

    [Test]
    public void BatchesWithinTheBudgetAreUnchanged()
    {
        int[] batch = [4, 1, 3];

        Assert.That(BatchPlanner.WithinTokenBudget(batch, _ => 1000, 3000).Single(), Is.SameAs(batch));
        Assert.That(BatchPlanner.WithinTokenBudget(batch, row => row * 1000, 6000).Select(b => b.Length), Is.EqualTo(new[] { 1, 2 }),
            "4,000 tokens alone (8,000 > 6,000 with the next), then 3,000 + 1,000 padded to 2 x 3,000");
    }
}
