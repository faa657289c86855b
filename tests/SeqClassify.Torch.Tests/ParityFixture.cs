namespace SeqClassify.Torch.Tests;

/// <summary>One fixture written by tests/fixtures/make_fixtures.py: a model, a batch and PyTorch's answers.</summary>
internal sealed class ParityFixture
{
    private readonly Dictionary<string, NamedTensor> _tensors;

    private ParityFixture(string name, IReadOnlyList<NamedTensor> tensors)
    {
        Name = name;
        _tensors = tensors.ToDictionary(t => t.Name);
    }

    public string Name { get; }

    /// <summary>The fixtures of one folder: "Fixtures" (forward and gradients), "TrainingFixtures" (AdamW steps) or "TaskFixtures" (multi-label and regression heads).</summary>
    public static IEnumerable<string> Names(string folder = "Fixtures") =>
        System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, folder), "*.sct")
            .Select(Path.GetFileNameWithoutExtension).Order()!;

    public static ParityFixture Load(string name, string folder = "Fixtures") =>
        new(name, TensorArchive.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, folder, name + ".sct"))));

    /// <summary>A tensor of the fixture by its full name (e.g. "train.betas", "after.fc.bias").</summary>
    public NamedTensor this[string name] => _tensors[name];

    public SequenceModelOptions Options => new()
    {
        // Recurrent fixtures carry no Transformer fields: they take the options' defaults.
        Encoder = (SequenceEncoder)Config("encoder", (long)SequenceEncoder.Rnn),
        Heads = (int)Config("heads", SequenceModelOptions.DefaultHeads),
        FeedForwardSize = (int)Config("feedforward_size", SequenceModelOptions.DefaultFeedForwardSize),
        MaxPositions = (int)Config("max_positions", SequenceModelOptions.DefaultMaxPositions),
        PositionalEncoding = (PositionalEncoding)Config("positional", (long)PositionalEncoding.Sinusoidal),
        Activation = (TransformerActivation)Config("activation", (long)TransformerActivation.Relu),
        NormFirst = Config("norm_first", 0) == 1,
        // BERT's embeddings: unscaled, normalised, eps 1e-12 in every LayerNorm.
        ScaleEmbedding = Config("bert_embeddings", 0) == 0,
        EmbeddingNorm = Config("bert_embeddings", 0) == 1,
        LayerNormEpsilon = Config("bert_embeddings", 0) == 1 ? 1e-12 : 1e-5,
        TransformerDropout = 0, // PyTorch computed the gradients in training mode with dropout 0
        VocabularySize = (int)Config("vocab_size"),
        InputSize = (int)Config("input_size"),
        HiddenSize = (int)Config("hidden_size"),
        NumLayers = (int)Config("num_layers"),
        HeadHiddenSize = (int)Config("head_hidden_size"),
        NumClasses = (int)Config("num_classes"),
        Task = (SequenceTask)Config("task", (long)SequenceTask.SingleLabel),
        WindowPooling = (WindowPooling)Config("window_pooling", (long)WindowPooling.Mean),
        Cell = (RnnCellType)Config("cell"),
        Pooling = (SequencePooling)Config("pooling"),
        Bidirectional = Config("bidirectional") == 1,
        Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0, // PyTorch's modules' defaults, not the library's
    };

    public byte[] Parameters => Prefixed("param.");

    /// <summary>The parameters PyTorch ended with after training ("after.*"), by engine name.</summary>
    public IReadOnlyDictionary<string, NamedTensor> ParametersAfterTraining =>
        _tensors.Values.Where(t => t.Name.StartsWith("after.")).ToDictionary(t => t.Name["after.".Length..]);

    public IReadOnlyDictionary<string, NamedTensor> Gradients =>
        _tensors.Values.Where(t => t.Name.StartsWith("grad.")).ToDictionary(t => t.Name["grad.".Length..]);

    public SequenceBatch Batch
    {
        get
        {
            var lengths = _tensors["input.lengths"].Int64s!;
            if (_tensors.TryGetValue("input.ids", out var ids))
            {
                var batch = SequenceBatch.FromPaddedTokenIds(ids.Int64s!, lengths, (int)ids.Shape[1]);
                // Rows that are windows of documents (TaskFixtures' gru_windows_*).
                return _tensors.TryGetValue("input.documents", out var documents)
                    ? batch.WithDocuments(documents.Int64s!, (int)documents.Int64s!.Max() + 1)
                    : batch;
            }
            var features = _tensors["input.features"];
            return SequenceBatch.FromPaddedFeatures(features.Floats!, lengths, (int)features.Shape[1], (int)features.Shape[2]);
        }
    }

    public long[] Labels => _tensors["input.labels"].Int64s!;

    /// <summary>A task fixture's targets: [B, labels] of 0/1 (multi-label) or [B] scores (regression).</summary>
    public float[] Targets => _tensors["input.targets"].Floats!;

    /// <summary>A tensor's floats, or null when the fixture has no tensor of that name.</summary>
    public float[]? Optional(string name) => _tensors.TryGetValue(name, out var tensor) ? tensor.Floats : null;

    public float[] Logits => _tensors["output.logits"].Floats!;

    public float Loss => _tensors["output.loss"].Floats![0];

    private long Config(string field) => _tensors["config." + field].Int64s![0];

    private long Config(string field, long absent) => _tensors.TryGetValue("config." + field, out var value) ? value.Int64s![0] : absent;

    // The parameters renamed to the engine's names, as an archive the engine imports.
    private byte[] Prefixed(string prefix) => TensorArchive.Write(
        _tensors.Values.Where(t => t.Name.StartsWith(prefix)).Select(t => t with { Name = t.Name[prefix.Length..] }));
}
