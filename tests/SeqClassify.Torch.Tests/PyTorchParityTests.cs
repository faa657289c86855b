namespace SeqClassify.Torch.Tests;

/// <summary>
/// The engine against PyTorch 1.13 on the same parameters and inputs (fixtures from
/// tests/fixtures/make_fixtures.py). Tolerances: logits and loss 1e-5, gradients 1e-4 (absolute).
/// </summary>
[TestFixture]
public class PyTorchParityTests
{
    private const float LogitTolerance = 1e-5f;
    private const float GradientTolerance = 1e-4f;

    private static IEnumerable<string> Fixtures() => ParityFixture.Names();

    [Test]
    public void FixturesCoverTheWholeGrid()
    {
        // RNN/GRU/LSTM x uni/bi x 1/2 layers x Last/Mean/Max, plus the extra variants.
        Assert.That(Fixtures().Count(), Is.GreaterThanOrEqualTo(3 * 2 * 2 * 3));
    }

    [TestCaseSource(nameof(Fixtures))]
    public void LogitsMatchPyTorch(string name)
    {
        var fixture = ParityFixture.Load(name);
        using var model = new SequenceClassifierModel(fixture.Options);
        model.ImportParameters(fixture.Parameters);

        float[] logits = model.Predict(fixture.Batch, ModelOutput.Logits);

        Assert.That(logits, Is.EqualTo(fixture.Logits).Within(LogitTolerance));
    }

    [TestCaseSource(nameof(Fixtures))]
    public void LossAndGradientsMatchPyTorch(string name)
    {
        var fixture = ParityFixture.Load(name);
        using var model = new SequenceClassifierModel(fixture.Options);
        model.ImportParameters(fixture.Parameters);

        double loss = model.ComputeGradients(fixture.Batch, fixture.Labels);
        var gradients = TensorArchive.Read(model.ExportGradients()).ToDictionary(t => t.Name);

        Assert.That(loss, Is.EqualTo(fixture.Loss).Within(LogitTolerance));
        Assert.That(gradients.Keys, Is.EquivalentTo(fixture.Gradients.Keys));
        foreach (var (parameter, expected) in fixture.Gradients)
        {
            Assert.That(gradients[parameter].Shape, Is.EqualTo(expected.Shape), parameter);
            Assert.That(gradients[parameter].Floats, Is.EqualTo(expected.Floats).Within(GradientTolerance), parameter);
        }
    }

    [Test]
    public void Int32IdsGiveTheSameLogitsAsInt64Ids()
    {
        var fixture = ParityFixture.Load("gru_bi_l2_mean");
        using var model = new SequenceClassifierModel(fixture.Options);
        model.ImportParameters(fixture.Parameters);
        var wide = fixture.Batch;
        var narrow = SequenceBatch.FromPaddedTokenIds(
            wide.TokenIds64!.Select(id => (int)id).ToArray(), wide.Lengths, wide.MaxLength);

        Assert.That(model.Predict(narrow, ModelOutput.Logits), Is.EqualTo(model.Predict(wide, ModelOutput.Logits)));
    }
}
