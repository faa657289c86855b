namespace SeqClassify.Torch.Tests;

/// <summary>
/// Issue 31, item 7: the multi-label and regression heads against PyTorch 1.13 on the same parameters and
/// inputs (TaskFixtures, from tests/fixtures/make_fixtures.py: BCEWithLogitsLoss with and without
/// pos_weight, MSELoss, HuberLoss; a recurrent and a Transformer encoder), and item 5's windows: rows of one
/// document whose outputs are pooled (mean, max) before the loss. Tolerances as the classifier's: outputs
/// and loss 1e-5, gradients 1e-4.
/// </summary>
[TestFixture]
public class TaskParityTests
{
    private const float OutputTolerance = 1e-5f;
    private const float GradientTolerance = 1e-4f;

    private static IEnumerable<string> Fixtures() => ParityFixture.Names("TaskFixtures");

    private static SequenceClassifierModel Load(ParityFixture fixture)
    {
        var options = fixture.Options;
        options.ClassWeights = fixture.Optional("train.pos_weight");
        options.HuberDelta = fixture.Optional("train.huber_delta")![0];
        var model = new SequenceClassifierModel(options);
        model.ImportParameters(fixture.Parameters);
        return model;
    }

    [Test]
    public void BothTasksOnBothEncodersAreCovered()
    {
        var names = Fixtures().ToList();

        Assert.That(names, Has.Some.StartsWith("gru_multi_label").And.Some.StartsWith("transformer_multi_label")
            .And.Some.StartsWith("gru_regression").And.Some.StartsWith("transformer_regression"));
        Assert.That(names, Does.Contain("gru_windows_mean").And.Contain("gru_windows_max"), "rows pooled into documents, by mean and by max");
        Assert.That(names.Select(n => ParityFixture.Load(n, "TaskFixtures").Options.Task).Distinct(),
            Is.EquivalentTo(new[] { SequenceTask.MultiLabel, SequenceTask.Regression, SequenceTask.SingleLabel }));
    }

    [TestCaseSource(nameof(Fixtures))]
    public void OutputsAndTheirProbabilitiesMatchPyTorch(string name)
    {
        var fixture = ParityFixture.Load(name, "TaskFixtures");
        using var model = Load(fixture);

        float[] logits = model.Predict(fixture.Batch, ModelOutput.Logits);
        float[] probabilities = model.Predict(fixture.Batch, ModelOutput.Probabilities);

        Assert.That(logits, Is.EqualTo(fixture.Logits).Within(OutputTolerance));
        // A sigmoid per label (independent: a row need not sum to 1), or the regression's score itself.
        var expected = model.Options.Task switch
        {
            SequenceTask.MultiLabel => fixture.Logits.Select(z => (float)(1 / (1 + Math.Exp(-z)))).ToArray(),
            SequenceTask.SingleLabel => fixture.Logits.Chunk(model.NumClasses).SelectMany(Softmax).ToArray(),
            _ => fixture.Logits,
        };
        Assert.That(probabilities, Is.EqualTo(expected).Within(OutputTolerance));
    }

    [TestCaseSource(nameof(Fixtures))]
    public void LossAndGradientsMatchPyTorch(string name)
    {
        var fixture = ParityFixture.Load(name, "TaskFixtures");
        using var model = Load(fixture);

        double loss = model.Options.Task == SequenceTask.SingleLabel
            ? model.ComputeGradients(fixture.Batch, fixture.Labels)
            : model.ComputeGradients(fixture.Batch, fixture.Targets);
        var gradients = TensorArchive.Read(model.ExportGradients()).ToDictionary(t => t.Name);

        Assert.That(loss, Is.EqualTo(fixture.Loss).Within(OutputTolerance));
        Assert.That(gradients.Keys, Is.EquivalentTo(fixture.Gradients.Keys));
        foreach (var (parameter, expected) in fixture.Gradients)
        {
            Assert.That(gradients[parameter].Floats, Is.EqualTo(expected.Floats).Within(GradientTolerance), parameter);
        }
    }

    private static float[] Softmax(float[] row)
    {
        double top = row.Max(), sum = row.Sum(z => Math.Exp(z - top));
        return row.Select(z => (float)(Math.Exp(z - top) / sum)).ToArray();
    }
}
