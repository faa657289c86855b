using SeqClassify.MLNet.Evaluation;

namespace SeqClassify.MLNet.Tests;

[TestFixture]
public class EvaluationTests
{
    [Test]
    public void MetricsMatchHandComputedValues()
    {
        // Three rows, classes a/b/c: row 0 right (p=0.7), row 1 wrong (true b, p(b)=0.2), row 2 right (p=0.5).
        int[] labels = [0, 1, 2];
        float[] probabilities = [0.7f, 0.2f, 0.1f, 0.5f, 0.2f, 0.3f, 0.1f, 0.4f, 0.5f];

        var m = MulticlassMetricsCalculator.Compute(labels, probabilities, ["a", "b", "c"], topK: 2);

        Assert.That(m.MicroAccuracy, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(m.MacroAccuracy, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(m.LogLoss, Is.EqualTo(-(Math.Log(0.7) + Math.Log(0.2) + Math.Log(0.5)) / 3).Within(1e-6));
        Assert.That(m.LogLossReduction, Is.EqualTo(1 - m.LogLoss / Math.Log(3)).Within(1e-9));
        Assert.That(m.TopKAccuracy, Is.EqualTo(2.0 / 3).Within(1e-12), "row 1: b is third");
        Assert.That(m.PerClassPrecision, Is.EqualTo(new[] { 0.5, 0, 1 }));
        Assert.That(m.PerClassRecall, Is.EqualTo(new[] { 1.0, 0, 1 }));
        Assert.That(m.PerClassF1[0], Is.EqualTo(2 * 0.5 / 1.5).Within(1e-12));
        Assert.That(m.MacroF1, Is.EqualTo((2.0 / 3 + 0 + 1) / 3).Within(1e-12));
        Assert.That(m.ConfusionMatrix.Counts[1], Is.EqualTo(new long[] { 1, 0, 0 }));
        Assert.That(m.AreaUnderRocCurve, Is.Null);
    }

    [Test]
    public void BinaryAucCountsTiesAsHalf()
    {
        int[] labels = [0, 1, 0, 1];
        float[] p = [0.9f, 0.1f, 0.6f, 0.4f, 0.4f, 0.6f, 0.2f, 0.8f];  // positive-class scores 0.1, 0.4, 0.6, 0.8

        var m = MulticlassMetricsCalculator.Compute(labels, p, ["neg", "pos"], topK: 1);

        // Pairs (pos, neg): (0.4 vs 0.1) win, (0.4 vs 0.6) lose, (0.8 vs 0.1) win, (0.8 vs 0.6) win.
        Assert.That(m.AreaUnderRocCurve, Is.EqualTo(0.75).Within(1e-12));
    }

    [Test]
    public void TheConfusionTableReadsAsABaseline()
    {
        var m = MulticlassMetricsCalculator.Compute([0, 1, 1], [0.9f, 0.1f, 0.3f, 0.7f, 0.6f, 0.4f], ["ham", "spam"], 1);

        Assert.That(m.ConfusionMatrix.GetFormattedConfusionTable(), Is.EqualTo(
            "Confusion table (rows: truth, columns: predicted)\n" +
            "          |      ham     spam | Recall\n" +
            "---------------------------------------\n" +
            "      ham |        1        0 | 1.0000\n" +
            "     spam |        1        1 | 0.5000\n" +
            "---------------------------------------\n" +
            "Precision |   0.5000   1.0000\n"));
    }
}
