namespace SeqClassify.Torch.Tests;

/// <summary>
/// Two training steps against PyTorch's: cross-entropy with class weights and label smoothing,
/// backward, gradient-norm clipping, AdamW (betas, eps, weight decay), a learning rate per step.
/// Fixtures from tests/fixtures/make_fixtures.py; tolerances: loss 1e-5, parameters 1e-5.
/// </summary>
[TestFixture]
public class TrainingStepParityTests
{
    private static IEnumerable<string> Fixtures() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TrainingFixtures"), "*.sct").Select(Path.GetFileNameWithoutExtension).Order()!;

    [TestCaseSource(nameof(Fixtures))]
    public void TwoAdamWStepsMatchPyTorch(string name)
    {
        var t = TensorArchive.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TrainingFixtures", name + ".sct")))
            .ToDictionary(x => x.Name);
        long Config(string field) => t["config." + field].Int64s![0];
        float Train(string field, int i = 0) => t["train." + field].Floats![i];
        var options = new SequenceModelOptions
        {
            VocabularySize = (int)Config("vocab_size"), InputSize = (int)Config("input_size"), HiddenSize = (int)Config("hidden_size"),
            NumLayers = (int)Config("num_layers"), NumClasses = (int)Config("num_classes"), Cell = (RnnCellType)Config("cell"),
            Pooling = (SequencePooling)Config("pooling"), Bidirectional = Config("bidirectional") == 1,
            ClassWeights = t["train.class_weights"].Floats, LabelSmoothing = Train("label_smoothing"), GradientClipNorm = Train("clip_norm"),
            AdamBeta1 = Train("betas", 0), AdamBeta2 = Train("betas", 1), AdamEpsilon = Train("eps"), WeightDecay = Train("weight_decay"),
        };
        using var model = new SequenceClassifierModel(options);
        model.ImportParameters(TensorArchive.Write(t.Values.Where(x => x.Name.StartsWith("param.")).Select(x => x with { Name = x.Name[6..] })));
        var ids = t["input.ids"];
        var batch = SequenceBatch.FromPaddedTokenIds(ids.Int64s!, t["input.lengths"].Int64s!, (int)ids.Shape[1]);

        var losses = t["train.learning_rates"].Floats!.Select(lr => model.TrainStep(batch, t["input.labels"].Int64s!, lr).Loss).ToArray();

        Assert.That(losses, Is.EqualTo(t["train.losses"].Floats!.Select(l => (double)l)).Within(1e-5));
        foreach (var after in TensorArchive.Read(model.ExportParameters()))
        {
            Assert.That(after.Floats, Is.EqualTo(t["after." + after.Name].Floats).Within(1e-5f), after.Name);
        }
    }
}
