using SeqClassify.MLNet.Evaluation;

namespace SeqClassify.MLNet.Tests;

/// <summary>The correlations a regression is reported by (STS-B), against SciPy's documented values.</summary>
[TestFixture]
public class CorrelationTests
{
    [Test]
    public void PearsonAndSpearmanAreSciPys()
    {
        double[] x = [1, 2, 3, 4, 5], y = [5, 6, 7, 8, 7];

        // scipy.stats.pearsonr and spearmanr of these (y's tie shares its ranks).
        Assert.That(Correlation.Pearson(x, y), Is.EqualTo(0.8320502943378437).Within(1e-12));
        Assert.That(Correlation.Spearman(x, y), Is.EqualTo(0.8207826816681233).Within(1e-12));
        Assert.That(Correlation.Pearson(x, [3, 3, 3, 3, 3]), Is.Zero, "a constant side has no correlation");
    }
}
