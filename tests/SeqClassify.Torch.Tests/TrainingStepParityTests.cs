namespace SeqClassify.Torch.Tests;

/// <summary>
/// Two training steps against PyTorch's: cross-entropy with class weights and label smoothing,
/// backward, gradient-norm clipping, AdamW (betas, eps, weight decay), a learning rate per step.
/// Fixtures from tests/fixtures/make_fixtures.py; tolerances: loss 1e-5, parameters 1e-5.
/// </summary>
[TestFixture]
public class TrainingStepParityTests
{
    private const string Folder = "TrainingFixtures";

    private static IEnumerable<string> Fixtures() => ParityFixture.Names(Folder);

    [TestCaseSource(nameof(Fixtures))]
    public void TwoAdamWStepsMatchPyTorch(string name)
    {
        var fixture = ParityFixture.Load(name, Folder);
        float Train(string field, int i = 0) => fixture["train." + field].Floats![i];
        var options = fixture.Options;
        options.ClassWeights = fixture["train.class_weights"].Floats;
        options.LabelSmoothing = Train("label_smoothing");
        options.GradientClipNorm = Train("clip_norm");
        options.AdamBeta1 = Train("betas", 0);
        options.AdamBeta2 = Train("betas", 1);
        options.AdamEpsilon = Train("eps");
        options.WeightDecay = Train("weight_decay");
        using var model = new SequenceClassifierModel(options);
        model.ImportParameters(fixture.Parameters);

        var losses = fixture["train.learning_rates"].Floats!.Select(lr => model.TrainStep(fixture.Batch, fixture.Labels, lr).Loss).ToArray();

        Assert.That(losses, Is.EqualTo(fixture["train.losses"].Floats!.Select(l => (double)l)).Within(1e-5));
        var expected = fixture.ParametersAfterTraining;
        foreach (var after in TensorArchive.Read(model.ExportParameters()))
        {
            Assert.That(after.Floats, Is.EqualTo(expected[after.Name].Floats).Within(1e-5f), after.Name);
        }
    }
}
