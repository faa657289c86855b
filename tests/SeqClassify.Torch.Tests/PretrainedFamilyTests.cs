using SeqClassify.Torch.Pretrained;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// Tiny random BERT and DistilBERT folders, with and without a sequence-classification head, against what
/// PyTorch computes from the same folders (tests/fixtures/make_pretrained_fixtures.py): pooled hidden
/// states, BERT's pooler, the checkpoints' logits and one step's gradients, on a batch with a sentence
/// pair (token types 1), on every kernel set.
/// </summary>
[TestFixture]
public class PretrainedFamilyTests
{
    private static readonly IReadOnlyDictionary<string, NamedTensor> Fixture =
        TensorArchive.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Pretrained", "tiny_transformers.sct"))).ToDictionary(t => t.Name);

    private static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Pretrained", name);

    private static IEnumerable<string> KernelSets() => TorchRuntime.KernelSets;

    // The fixture's batch; DistilBERT has no token types.
    private static SequenceBatch Batch(bool withTypes)
    {
        var ids = Fixture["input.ids"];
        var batch = SequenceBatch.FromPaddedTokenIds(ids.Int64s!, Fixture["input.lengths"].Int64s!, (int)ids.Shape[1]);
        return withTypes ? batch.WithTokenTypes(Fixture["input.types"].Int64s!) : batch;
    }

    private static SequenceModelOptions WithoutDropout(SequenceModelOptions o)
    {
        o.EmbeddingDropout = 0;
        o.TransformerDropout = 0;
        o.Dropout = 0;
        return o;
    }

    [TestCase("tiny-bert", "bert", false)]
    [TestCase("tiny-bert-classifier", "bert", true)]
    [TestCase("tiny-distilbert", "distilbert", false)]
    [TestCase("tiny-distilbert-classifier", "distilbert", true)]
    public void EachFolderReadsAsItsFamily(string folder, string modelType, bool classifier)
    {
        var model = PretrainedTransformer.Load(Folder(folder));

        Assert.That((model.ModelType, model.HasClassifier), Is.EqualTo((modelType, classifier)));
        Assert.That(model.Labels, Is.EqualTo(classifier ? new[] { "negative", "neutral", "positive" } : Array.Empty<string>()));
        Assert.That(model.Architecture.TokenTypes, Is.EqualTo(modelType == "bert" ? 2 : 0));
    }

    // Pooled last hidden states through an identity head: the engine's encoder against PyTorch's, position by position summarised three ways.
    [Test]
    public void PooledHiddenStatesMatchPyTorch(
        [Values("bert", "distilbert")] string family, [Values(SequencePooling.First, SequencePooling.Mean, SequencePooling.Max)] SequencePooling pooling,
        [ValueSource(nameof(KernelSets))] string kernels)
    {
        var encoder = PretrainedTransformer.Load(Folder("tiny-" + family));
        int width = encoder.Architecture.HiddenSize;
        using var model = encoder.CreateClassifier(encoder.ClassifierOptions(width, pooling));
        Identity(model, width);

        float[] pooled = [];
        TestModels.WithKernels(kernels, () => pooled = model.Predict(Batch(family == "bert"), ModelOutput.Logits));

        string expected = pooling switch { SequencePooling.First => "first", SequencePooling.Mean => "mean", _ => "max" };
        Assert.That(pooled, Is.EqualTo(Fixture[$"{family}.{expected}"].Floats!).Within(1e-5f));
    }

    [TestCaseSource(nameof(KernelSets))]
    public void BertsPoolerMatchesPyTorch(string kernels)
    {
        var encoder = PretrainedTransformer.Load(Folder("tiny-bert"));
        int width = encoder.Architecture.HiddenSize;
        using var model = encoder.CreateClassifier(encoder.ClassifierOptions(width, SequencePooling.ClsPooler));
        Identity(model, width);

        float[] pooled = [];
        TestModels.WithKernels(kernels, () => pooled = model.Predict(Batch(withTypes: true), ModelOutput.Logits));

        Assert.That(pooled, Is.EqualTo(Fixture["bert.pooler"].Floats!).Within(1e-5f));
    }

    [Test]
    public void FineTunedCheckpointsGiveTheirLogitsAndOneStepsGradients([Values("bert", "distilbert")] string family, [ValueSource(nameof(KernelSets))] string kernels)
    {
        var checkpoint = PretrainedTransformer.Load(Folder($"tiny-{family}-classifier"));
        using var model = checkpoint.CreateFineTunedClassifier(WithoutDropout(checkpoint.FineTunedOptions()));
        var batch = Batch(family == "bert");
        long[] labels = Fixture["input.labels"].Int64s!;

        float[] logits = [];
        IReadOnlyDictionary<string, NamedTensor> gradients = new Dictionary<string, NamedTensor>();
        double loss = 0;
        TestModels.WithKernels(kernels, () =>
        {
            logits = model.Predict(batch, ModelOutput.Logits);
            loss = model.ComputeGradients(batch, labels);
            gradients = TensorArchive.Read(model.ExportGradients()).ToDictionary(g => g.Name);
        });

        Assert.That(logits, Is.EqualTo(Fixture[$"{family}.logits"].Floats!).Within(1e-5f));
        Assert.That(loss, Is.EqualTo(Fixture[$"{family}.loss"].Floats![0]).Within(1e-5));
        var expected = Fixture.Where(t => t.Key.StartsWith($"{family}.grad.", StringComparison.Ordinal)).ToDictionary(t => t.Key[$"{family}.grad.".Length..], t => t.Value);
        Assert.That(gradients.Keys, Is.EquivalentTo(expected.Keys), "every parameter has a gradient, named as the engine names it");
        Assert.Multiple(() =>
        {
            foreach (var (name, gradient) in expected) Assert.That(gradients[name].Floats, Is.EqualTo(gradient.Floats!).Within(1e-4f), name);
        });
    }

    [Test]
    public void ABaseFolderHasNoFineTunedClassifier()
    {
        var encoder = PretrainedTransformer.Load(Folder("tiny-distilbert"));

        var error = Assert.Throws<InvalidOperationException>(() => encoder.FineTunedOptions());

        Assert.That(error!.Message, Does.Contain("has no sequence-classification head"));
    }

    [Test]
    public void TokenTypesOutsideTheModelsAreRefusedNamingTheRow()
    {
        var encoder = PretrainedTransformer.Load(Folder("tiny-bert"));
        using var model = encoder.CreateClassifier(encoder.ClassifierOptions(2));
        long[] types = (long[])Fixture["input.types"].Int64s!.Clone();
        types[types.Length - 1] = 2;

        var error = Assert.Throws<ArgumentException>(() => model.Predict(Batch(false).WithTokenTypes(types), ModelOutput.Logits));

        Assert.That(error!.Message, Does.Contain("row 2, step 12: token type 2 is outside the token types [0, 2)"));
    }

    [TestCase("\"n_layers\": 2", "\"n_layers\": 3", "has no tensor 'distilbert.transformer.layer.2.attention.q_lin.weight'")]
    [TestCase("\"n_layers\": 2", "\"n_layers\": 1", "has a tensor 'distilbert.transformer.layer.1.")]
    [TestCase("\"dim\": 16", "\"dim\": 18", "n_heads 4 does not divide dim 18")]
    [TestCase("\"seq_classif_dropout\": 0.2", "\"seq_classif_dropout\": 1.5", "seq_classif_dropout 1.5 is outside [0, 1)")]
    [TestCase("\"0\": \"negative\"", "\"7\": \"negative\"", "id2label has id \"7\"; the classifier has 3 classes")]
    public void ADistilBertCheckpointThatDoesNotFitItsConfigIsRefusedNamingTheFileAndTheTensor(string from, string to, string message)
    {
        // A copy of the tiny DistilBERT checkpoint with an edited config.json.
        string folder = Path.Combine(Path.GetTempPath(), "seqclassify-family-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Folder("tiny-distilbert-classifier"))) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        string config = Path.Combine(folder, "config.json");
        string text = File.ReadAllText(config);
        Assert.That(text, Does.Contain(from), "the edit applies");
        File.WriteAllText(config, text.Replace(from, to));

        var error = Assert.Throws<InvalidDataException>(() => PretrainedTransformer.Load(folder));

        Assert.That(error!.Message, Does.Contain(folder).And.Contain(message));
    }

    [Test]
    public void OverwritingAnArchiveRefusesATensorOfAnotherShape()
    {
        using var model = new SequenceClassifierModel(TestModels.TransformerOptions());
        byte[] archive = model.ExportParameters();

        var error = Assert.Throws<ArgumentException>(() =>
            TensorArchive.Overwrite(archive, new Dictionary<string, NamedTensor> { ["fc.bias"] = new("fc.bias", [4], new float[4], null) }));

        Assert.That(error!.Message, Does.Contain("tensor 'fc.bias' is [3] in the archive but [4] given"));
    }

    // fc = identity, no bias: the logits are the pooled vector.
    private static void Identity(SequenceClassifierModel model, int width)
    {
        var parameters = TensorArchive.Read(model.ExportParameters()).Select(p => p.Name switch
        {
            "fc.weight" => p with { Floats = Enumerable.Range(0, width * width).Select(i => i / width == i % width ? 1f : 0f).ToArray() },
            "fc.bias" => p with { Floats = new float[width] },
            _ => p,
        }).ToList();
        model.ImportParameters(TensorArchive.Write(parameters));
    }
}
