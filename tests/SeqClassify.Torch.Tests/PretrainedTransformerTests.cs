using SeqClassify.Testing;
using SeqClassify.Torch.Pretrained;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// A pretrained BERT-shaped encoder from a Hugging Face folder (../shared/models/all-MiniLM-L6-v2) in
/// the engine, against PyTorch's BERT reference (fixture: tests/fixtures/make_bert_fixture.py).
/// </summary>
[TestFixture]
public class PretrainedTransformerTests
{
    private static string MiniLM => Path.Combine(RepositoryPaths.Shared, "models", "all-MiniLM-L6-v2");

    private static IReadOnlyDictionary<string, NamedTensor> Fixture() =>
        TensorArchive.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Pretrained", "minilm_mean_head.sct"))).ToDictionary(t => t.Name);

    [Test]
    public void TheFolderReadsAsABertShapedTransformer()
    {
        var encoder = PretrainedTransformer.Load(MiniLM);

        var a = encoder.Architecture;
        Assert.That((a.VocabularySize, a.HiddenSize, a.NumLayers, a.Heads, a.FeedForwardSize, a.MaxPositions), Is.EqualTo((30522, 384, 6, 12, 1536, 512)));
        Assert.That((a.Activation, a.PositionalEncoding, a.NormFirst, a.ScaleEmbedding, a.EmbeddingNorm, a.LayerNormEpsilon),
            Is.EqualTo((TransformerActivation.Gelu, PositionalEncoding.Learned, false, false, true, 1e-12)));
        Assert.That((a.TokenTypes, a.FeedForwardInnerDropout), Is.EqualTo((2, false)));
        Assert.That(encoder.EncoderParameters.Sum(p => p.ElementCount), Is.EqualTo(22_713_216), "MiniLM's parameters, its pooler included");
        Assert.That((encoder.ModelType, encoder.HasClassifier), Is.EqualTo(("bert", false)));
    }

    private static IEnumerable<string> KernelSets() => TorchRuntime.KernelSets;

    [TestCaseSource(nameof(KernelSets))]
    public void MeanPooledLogitsMatchPyTorchsBert(string kernels)
    {
        var fixture = Fixture();
        var encoder = PretrainedTransformer.Load(MiniLM);
        using var model = encoder.CreateClassifier(encoder.ClassifierOptions(numClasses: 3, SequencePooling.Mean));
        var parameters = TensorArchive.Read(model.ExportParameters())
            .Select(p => fixture.TryGetValue("param." + p.Name, out var head) ? head with { Name = p.Name } : p).ToList();
        model.ImportParameters(TensorArchive.Write(parameters));
        var ids = fixture["input.ids"];

        float[] logits = [];
        TestModels.WithKernels(kernels, () =>
            logits = model.Predict(SequenceBatch.FromPaddedTokenIds(ids.Int64s!, fixture["input.lengths"].Int64s!, (int)ids.Shape[1]), ModelOutput.Logits));

        Assert.That(logits, Is.EqualTo(fixture["output.logits"].Floats!).Within(1e-5f));
    }

    [Test]
    public void AFolderWithoutSafetensorsSaysHowToConvertPytorchModelBin()
    {
        string folder = Folder(config => config);
        File.Delete(Path.Combine(folder, "model.safetensors"));
        File.WriteAllText(Path.Combine(folder, "pytorch_model.bin"), "pickle");

        var error = Assert.Throws<FileNotFoundException>(() => PretrainedTransformer.Load(folder));

        Assert.That(error!.Message, Does.Contain("has pytorch_model.bin but no model.safetensors").And.Contain("save_file(torch.load('pytorch_model.bin'), 'model.safetensors')"));
    }

    [TestCase("\"bert\"", "\"gpt2\"", "model_type 'gpt2' is not supported")]
    [TestCase("\"type_vocab_size\": 2", "\"type_vocab_size\": 3", "tensor 'embeddings.token_type_embeddings.weight' has shape [2, 384]; config.json implies [3, 384]")]
    [TestCase("\"gelu\"", "\"gelu_new\"", "hidden_act 'gelu_new' is not supported")]
    [TestCase("\"hidden_size\": 384", "\"hidden_size\": 768", "tensor 'embeddings.word_embeddings.weight' has shape [30522, 384]; config.json implies [30522, 768]")]
    [TestCase("\"num_hidden_layers\": 6", "\"num_hidden_layers\": 5", "has a tensor 'encoder.layer.5.")]
    [TestCase("\"num_hidden_layers\": 6", "\"num_hidden_layers\": 7", "has no tensor 'encoder.layer.6.attention.self.query.weight'")]
    [TestCase("\"max_position_embeddings\": 512", "\"max_position_embeddings\": 10000000", "max_position_embeddings 10000000 is outside 1..65,536")]
    public void AConfigThatDoesNotFitIsRefusedNamingTheFileAndTheTensor(string from, string to, string message)
    {
        string folder = Folder(config => config.Replace(from, to));

        var error = Assert.Throws<InvalidDataException>(() => PretrainedTransformer.Load(folder));

        Assert.That(error!.Message, Does.Contain(folder).And.Contain(message));
    }

    [Test]
    public void ACorruptSafetensorsHeaderIsRefusedNamingTheFile()
    {
        string folder = Folder(config => config);
        string weights = Path.Combine(folder, "model.safetensors");
        File.Delete(weights);
        File.WriteAllBytes(weights, [.. BitConverter.GetBytes(1L << 40), .. "{}"u8.ToArray()]);

        var error = Assert.Throws<SeqClassifyException>(() => PretrainedTransformer.Load(folder));

        Assert.That(error!.Message, Does.Contain(weights).And.Contain("the header length 1099511627776 is outside"));
    }

    // A copy of MiniLM's folder with an edited config.json; the weights linked, not copied.
    private static string Folder(Func<string, string> editConfig)
    {
        string folder = Path.Combine(Path.GetTempPath(), "seqclassify-pretrained-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), editConfig(File.ReadAllText(Path.Combine(MiniLM, "config.json"))));
        File.CreateSymbolicLink(Path.Combine(folder, "model.safetensors"), Path.Combine(MiniLM, "model.safetensors"));
        return folder;
    }
}
