namespace SeqClassify.MLNet.Tests;

/// <summary>The whole pipeline on real data: ../shared/datasets/sms_spam with a stratified 80/20 split, evaluated by ML.NET.</summary>
[TestFixture]
public class SmsSpamEndToEndTests
{
    [Test]
    public void TrainsToNinetySevenPercentAccuracyAndMacroF1AboveNinety()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.StratifiedTrainTestSplit(Pipelines.SmsSpam(ml), testFraction: 0.2);
        var options = new SequenceClassificationOptions { PretrainedEmbeddings = PretrainedModelKind.None, Epochs = 4, EmbeddingDimension = 64, HiddenSize = 64 };

        var model = Pipelines.Text(ml, options, minimumFrequency: 2).Fit(split.TrainSet);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));

        TestContext.Out.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
        var matrix = metrics.ConfusionMatrix;
        double macroF1 = Enumerable.Range(0, matrix.NumberOfClasses)
            .Average(c => 2 * matrix.PerClassPrecision[c] * matrix.PerClassRecall[c] / (matrix.PerClassPrecision[c] + matrix.PerClassRecall[c]));
        Assert.That(matrix.Counts.Select(r => r.Sum()), Is.EquivalentTo(new double[] { 965, 149 }));
        Assert.That(metrics.MicroAccuracy, Is.GreaterThanOrEqualTo(0.97));
        Assert.That(macroF1, Is.GreaterThanOrEqualTo(0.90));
    }
}
