using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Tests;

/// <summary>The whole pipeline on real data: ../shared/datasets/sms_spam with a stratified 80/20 split.</summary>
[TestFixture]
public class SmsSpamEndToEndTests
{
    [Test]
    public void TrainsToNinetySevenPercentAccuracyAndMacroF1AboveNinety()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false);
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, stratificationColumnName: "Label");
        var options = new RnnTrainerOptions { PretrainedEmbeddings = PretrainedModelKind.None, Epochs = 4, EmbeddingDimension = 64, HiddenSize = 64 };

        var model = Pipelines.Text(ml, options, minimumFrequency: 2).Fit(split.TrainSet);
        var metrics = ml.SequenceClassification.Evaluate(model.Transform(split.TestSet));

        TestContext.Out.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
        // Each class split 80/20 on its own: 965 of 4,827 ham and 149 of 747 spam held out.
        Assert.That(split.TrainSet.GetRowCount() + split.TestSet.GetRowCount(), Is.EqualTo(5574));
        Assert.That(metrics.PerClassSupport, Is.EqualTo(new long[] { 965, 149 }));
        Assert.That(metrics.MicroAccuracy, Is.GreaterThanOrEqualTo(0.97));
        Assert.That(metrics.MacroF1, Is.GreaterThanOrEqualTo(0.90));
        Assert.That(metrics.AreaUnderRocCurve, Is.GreaterThan(0.95));
        Assert.That(model.LastTransformer, Is.Not.Null);
    }
}
