using System.CommandLine;
using SeqClassify.Torch;

namespace SeqClassify.Cli;

/// <summary>
/// The network's command-line options, a line each: the flag, the <see cref="SequenceModelOptions"/>
/// property it sets, and what it means (<see cref="OptionTable{T}"/> derives the rest from the property,
/// written to SequenceClassificationOptions.Network). A test checks that every property is here or in
/// <see cref="NotOnTheCommandLine"/>.
/// </summary>
internal sealed class NetworkOptions
{
    private static readonly (string Flag, string Property, string Description)[] Table =
    [
        ("--task", nameof(SequenceModelOptions.Task),
            "What the model answers: one class per row; a set of labels (multilabel: the label column lists them, --label-separator between); or a score (regression: the label column holds numbers)."),
        ("--huber-delta", nameof(SequenceModelOptions.HuberDelta), "Regression: 0 trains by mean squared error; above 0, by the Huber loss with this delta."),
        ("--encoder", nameof(SequenceModelOptions.Encoder), "What reads the embedded tokens: a recurrent network or a Transformer encoder."),
        ("--cell", nameof(SequenceModelOptions.Cell), "The recurrent cell."),
        ("--layers", nameof(SequenceModelOptions.NumLayers), "Stacked RNN or Transformer layers."),
        ("--bidirectional", nameof(SequenceModelOptions.Bidirectional), "Bidirectional RNN (true/false)."),
        ("--embedding-dim", nameof(SequenceModelOptions.InputSize), "Embedding size (a pretrained file sets its own)."),
        ("--hidden", nameof(SequenceModelOptions.HiddenSize), "Hidden units per direction; a Transformer's model width."),
        ("--heads", nameof(SequenceModelOptions.Heads), "Transformer: attention heads; divides --hidden."),
        ("--ff-dim", nameof(SequenceModelOptions.FeedForwardSize), "Transformer: feed-forward width."),
        ("--max-positions", nameof(SequenceModelOptions.MaxPositions), "Transformer: longest sequence; longer texts keep their first tokens."),
        ("--positional", nameof(SequenceModelOptions.PositionalEncoding), "Transformer: the position signal."),
        ("--activation", nameof(SequenceModelOptions.Activation), "Transformer: the feed-forward activation."),
        ("--norm-first", nameof(SequenceModelOptions.NormFirst), "Transformer: pre-norm layers instead of post-norm (true/false)."),
        ("--transformer-dropout", nameof(SequenceModelOptions.TransformerDropout), "Transformer: dropout inside each layer."),
        ("--ff-inner-dropout", nameof(SequenceModelOptions.FeedForwardInnerDropout), "Transformer: dropout after the feed-forward activation too, as PyTorch's layers; BERT has none there (true/false)."),
        ("--layer-norm-eps", nameof(SequenceModelOptions.LayerNormEpsilon), "Transformer: every LayerNorm's eps."),
        ("--scale-embedding", nameof(SequenceModelOptions.ScaleEmbedding), "Transformer: multiply embedded tokens by the square root of --embedding-dim (true/false)."),
        ("--embedding-norm", nameof(SequenceModelOptions.EmbeddingNorm), "Transformer: a LayerNorm after the positions are added, as BERT's embeddings (true/false)."),
        ("--pooling", nameof(SequenceModelOptions.Pooling), "How the outputs become one vector per text (last: RNN only)."),
        ("--window-pooling", nameof(SequenceModelOptions.WindowPooling), "With --truncation windows: how a text's windows' outputs become the text's."),
        ("--head-hidden", nameof(SequenceModelOptions.HeadHiddenSize), "Units of a ReLU layer before the output layer (0: a single linear layer)."),
        ("--dropout", nameof(SequenceModelOptions.Dropout), "Dropout before the output layer."),
        ("--embedding-dropout", nameof(SequenceModelOptions.EmbeddingDropout), "Dropout on the embedded tokens."),
        ("--rnn-dropout", nameof(SequenceModelOptions.RnnDropout), "Dropout between stacked RNN layers."),
        ("--freeze", nameof(SequenceModelOptions.FreezeEmbeddings), "Keep the pretrained vectors fixed (true/false)."),
        ("--label-smoothing", nameof(SequenceModelOptions.LabelSmoothing), "Cross-entropy label smoothing, in [0, 1]."),
        ("--weight-decay", nameof(SequenceModelOptions.WeightDecay), "AdamW's decoupled weight decay."),
        ("--decay-biases-and-norms", nameof(SequenceModelOptions.DecayBiasesAndNorms), "Weight decay on biases and LayerNorm weights too (true/false; --pretrained-model: false, as Hugging Face's Trainer)."),
        ("--clip-norm", nameof(SequenceModelOptions.GradientClipNorm), "Clip the gradients' global norm to this (0: no clipping)."),
        ("--adam-beta1", nameof(SequenceModelOptions.AdamBeta1), "AdamW's beta1."),
        ("--adam-beta2", nameof(SequenceModelOptions.AdamBeta2), "AdamW's beta2."),
        ("--adam-eps", nameof(SequenceModelOptions.AdamEpsilon), "AdamW's epsilon."),
    ];

    /// <summary>The options of <see cref="SequenceModelOptions"/> that have no flag, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotOnTheCommandLine = new Dictionary<string, string>
    {
        [nameof(SequenceModelOptions.VocabularySize)] = "the data decides it (the vocabulary step)",
        [nameof(SequenceModelOptions.NumClasses)] = "the data decides it (the labels)",
        [nameof(SequenceModelOptions.PretrainedEmbeddings)] = "--pretrained names the vectors",
        [nameof(SequenceModelOptions.Seed)] = "--seed sets it",
        [nameof(SequenceModelOptions.TokenTypes)] = "a pretrained folder's type_vocab_size decides it (--pretrained-model)",
        [nameof(SequenceModelOptions.SegmentSeparatorId)] = "a pretrained folder's [SEP] decides it (--pretrained-model)",
        [nameof(SequenceModelOptions.ClassWeights)] = "--class-weights, a training option (TrainingOptions)",
    };

    /// <summary>
    /// What a pretrained folder's config.json decides (--pretrained-model): the encoder's shape. Given
    /// with it, these flags would be ignored, so they are refused.
    /// </summary>
    public static readonly IReadOnlySet<string> DecidedByACheckpoint = new HashSet<string>
    {
        nameof(SequenceModelOptions.Encoder), nameof(SequenceModelOptions.Cell), nameof(SequenceModelOptions.NumLayers),
        nameof(SequenceModelOptions.Bidirectional), nameof(SequenceModelOptions.InputSize), nameof(SequenceModelOptions.HiddenSize),
        nameof(SequenceModelOptions.Heads), nameof(SequenceModelOptions.FeedForwardSize), nameof(SequenceModelOptions.MaxPositions),
        nameof(SequenceModelOptions.PositionalEncoding), nameof(SequenceModelOptions.Activation), nameof(SequenceModelOptions.NormFirst),
        nameof(SequenceModelOptions.LayerNormEpsilon), nameof(SequenceModelOptions.ScaleEmbedding), nameof(SequenceModelOptions.EmbeddingNorm),
        nameof(SequenceModelOptions.RnnDropout),
    };

    private readonly OptionTable<SequenceModelOptions> _table = new(Table.Select(row => new OptionTable<SequenceModelOptions>.Row(row.Flag, row.Property, row.Description)));

    /// <summary>The properties the table sets, for the test that every one has a flag or a reason.</summary>
    public static IEnumerable<string> Properties => Table.Select(row => row.Property);

    /// <summary>The flag that sets a property (by its SequenceModelOptions name; the trainer's EmbeddingDimension is InputSize), or null.</summary>
    public static string? FlagOf(string? property) =>
        Table.FirstOrDefault(row => row.Property == (property == "EmbeddingDimension" ? nameof(SequenceModelOptions.InputSize) : property)).Flag;

    public void AddTo(Command command) => _table.AddTo(command);

    /// <summary>Writes each option given on the command line into <paramref name="network"/>; the others keep their defaults.</summary>
    public void Apply(ParseResult parse, SequenceModelOptions network) => _table.Apply(parse, network);

    /// <summary>The flags given on the command line that set one of <paramref name="properties"/>, in the table's order.</summary>
    public IReadOnlyList<string> GivenAmong(ParseResult parse, IReadOnlySet<string> properties) => _table.GivenAmong(parse, properties);

    /// <summary>"--flag value" for each option a recipe sets away from the defaults.</summary>
    public IEnumerable<string> Differences(SequenceModelOptions these, SequenceModelOptions from) => _table.Differences(these, from);
}
