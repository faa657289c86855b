namespace SeqClassify.Torch.Tests;

/// <summary>
/// Issue 31: the engine trains multi-label and regression heads: steps that learn, gradient accumulation
/// as one batch, the step's count of right rows, and targets the task cannot take refused by row.
/// </summary>
[TestFixture]
public class TaskTrainingTests
{
    private static SequenceModelOptions MultiLabel(float[]? positiveWeights = null)
    {
        var options = TestModels.TokenOptions(RnnCellType.Gru, bidirectional: true, pooling: SequencePooling.Mean);
        options.Task = SequenceTask.MultiLabel;
        options.NumClasses = 3;
        options.ClassWeights = positiveWeights;
        options.GradientClipNorm = 1f;
        return options;
    }

    private static SequenceModelOptions Regression(float huberDelta = 0)
    {
        var options = TestModels.TransformerOptions();
        options.Task = SequenceTask.Regression;
        options.NumClasses = 1;
        options.HuberDelta = huberDelta;
        options.TransformerDropout = 0;
        return options;
    }

    private static readonly long[][] Sequences = TestModels.RandomSequences(5, 3, 8, 2, 6, 7, 4);

    // Label 0 when the first id is even, label 1 when the row is longer than 4, label 2 never: a
    // learnable pattern, with rows of no label and of two.
    private static float[] LabelsOf(long[][] rows) =>
        rows.SelectMany(r => new[] { r[0] % 2 == 0 ? 1f : 0f, r.Length > 4 ? 1f : 0f, 0f }).ToArray();

    [Test]
    public void AMultiLabelModelLearnsItsLabelsAndCountsRowsWhoseEveryLabelIsRight()
    {
        using var model = new SequenceClassifierModel(MultiLabel([1f, 2f, 1f]));
        var batch = TestModels.Batch(Sequences);
        float[] targets = LabelsOf(Sequences);

        var first = model.TrainStep(batch, targets, 0.05);
        TrainStepResult last = first;
        for (int step = 0; step < 150; step++) last = model.TrainStep(batch, targets, 0.05);

        Assert.That(last.Loss, Is.LessThan(first.Loss / 4), "the loss falls on the rows it trains on");
        Assert.That(last.Correct, Is.EqualTo(Sequences.Length), "every row's three decisions right");
        float[] probabilities = model.Predict(batch);
        Assert.That(probabilities.Select(p => p > 0.5f ? 1f : 0f), Is.EqualTo(targets));
    }

    [TestCase(0f)]
    [TestCase(0.5f)]
    public void ARegressionLearnsItsScores(float huberDelta)
    {
        using var model = new SequenceClassifierModel(Regression(huberDelta));
        var batch = TestModels.Batch(Sequences);
        float[] scores = Sequences.Select(r => r.Length / 2f - 2).ToArray();

        var first = model.TrainStep(batch, scores, 0.01);
        for (int step = 0; step < 300; step++) model.TrainStep(batch, scores, 0.01);

        float[] predicted = model.Predict(batch);
        Assert.That(first.Correct, Is.Zero, "a regression has no right or wrong rows");
        Assert.That(predicted, Is.EqualTo(scores).Within(0.25f));
        Assert.That(model.Predict(batch, ModelOutput.Logits), Is.EqualTo(predicted), "a score is its own output");
    }

    [Test]
    public void MultiLabelMicroBatchesStepAsTheirRowsTogether()
    {
        using var whole = new SequenceClassifierModel(MultiLabel([1f, 3f, 0.5f]));
        using var accumulated = new SequenceClassifierModel(MultiLabel([1f, 3f, 0.5f]));
        float[] targets = LabelsOf(Sequences);
        int[][] parts = [[0, 1, 2], [3], [4, 5, 6]];

        var one = whole.TrainStep(TestModels.Batch(Sequences), targets, 0.01);
        var result = accumulated.TrainStepAccumulated(parts.Select(p => TestModels.Batch(p.Select(i => Sequences[i]))).ToList(),
            parts.Select(p => p.SelectMany(i => targets.Skip(i * 3).Take(3)).ToArray()).ToList(), 0.01);

        Assert.That(result.Loss, Is.EqualTo(one.Loss).Within(1e-5));
        Assert.That((result.Correct, result.Rows), Is.EqualTo((one.Correct, one.Rows)));
        var gradients = TensorArchive.Read(whole.ExportGradients()).ToDictionary(t => t.Name);
        foreach (var gradient in TensorArchive.Read(accumulated.ExportGradients()))
        {
            Assert.That(gradient.Floats, Is.EqualTo(gradients[gradient.Name].Floats).Within(1e-5f), gradient.Name);
        }
    }

    [Test]
    public void TargetsTheTaskCannotTakeAreRefusedByRow()
    {
        using var tags = new SequenceClassifierModel(MultiLabel());
        using var scores = new SequenceClassifierModel(Regression());
        var batch = TestModels.Batch(Sequences.Take(2));

        Assert.That(() => tags.TrainStep(batch, [0f, 1f, 0f, 1f, 2f, 0f], 0.01),
            Throws.ArgumentException.With.Message.Contains("row 1, label 1: target 2 is outside [0, 1]"));
        Assert.That(() => tags.TrainStep(batch, [0f, 1f, 0f], 0.01),
            Throws.ArgumentException.With.Message.Contains("3 targets for a batch of 2 rows of 3 labels: 6 expected"));
        Assert.That(() => tags.TrainStep(batch, new long[] { 0, 1 }, 0.01),
            Throws.ArgumentException.With.Message.Contains("A MultiLabel model trains on float targets"));
        Assert.That(() => scores.TrainStep(batch, [1f, float.NaN], 0.01),
            Throws.ArgumentException.With.Message.Contains("row 1: the score NaN is not a finite number"));
        Assert.That(() => scores.ComputeGradients(batch, [1f, float.PositiveInfinity]),
            Throws.ArgumentException.With.Message.Contains("row 1: the score infinity is not a finite number"));
        using var classes = new SequenceClassifierModel(TestModels.TokenOptions());
        Assert.That(() => classes.TrainStep(batch, [1f, 0f], 0.01),
            Throws.ArgumentException.With.Message.Contains("A SingleLabel model trains on class indices"));
    }

    [TestCase(SequenceTask.Regression, 2, "NumClasses", "A regression has one output: NumClasses must be 1, got 2")]
    [TestCase(SequenceTask.MultiLabel, 0, "NumClasses", "NumClasses must be at least 1 for a MultiLabel model, got 0")]
    public void OptionsTheTaskCannotTakeAreRefusedByName(SequenceTask task, int outputs, string option, string message)
    {
        var options = TestModels.TokenOptions();
        options.Task = task;
        options.NumClasses = outputs;

        Assert.That(() => new SequenceClassifierModel(options),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo(option).And.Message.Contains(message));
    }

    [Test]
    public void LossOptionsOfAnotherTaskAreRefused()
    {
        var smoothed = MultiLabel();
        smoothed.LabelSmoothing = 0.1f;
        var huber = MultiLabel();
        huber.HuberDelta = 1f;
        var weighted = Regression();
        weighted.ClassWeights = [2f];

        Assert.That(() => new SequenceClassifierModel(smoothed), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("LabelSmoothing is cross-entropy's"));
        Assert.That(() => new SequenceClassifierModel(huber), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("HuberDelta must be"));
        Assert.That(() => new SequenceClassifierModel(weighted), Throws.ArgumentException.With.Message.Contains("a Regression model has none"));
    }

    [Test]
    public void DocumentsThatDoNotFitTheirRowsAreRefused()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        var batch = TestModels.Batch(Sequences.Take(4));

        Assert.That(() => model.Predict(batch.WithDocuments([0, 0, 1, 3], 3)), Throws.ArgumentException.With.Message.Contains("row 3: document 3 is outside [0, 3)"));
        Assert.That(() => model.Predict(batch.WithDocuments([0, 0, 2, 2], 3)), Throws.ArgumentException.With.Message.Contains("document 1 has no row"));
        Assert.That(() => model.TrainStep(batch.WithDocuments([0, 0, 1, 1], 2), new long[] { 0, 1, 2, 0 }, 0.01),
            Throws.ArgumentException.With.Message.Contains("4 labels for a batch of 2 documents"));
        Assert.That(model.Predict(batch.WithDocuments([0, 1, 1, 0], 2)), Has.Length.EqualTo(2 * 3), "one prediction per document");
    }
}
