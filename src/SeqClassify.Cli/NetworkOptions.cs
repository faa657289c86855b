using System.CommandLine;
using System.Globalization;
using System.Reflection;
using SeqClassify.Torch;

namespace SeqClassify.Cli;

/// <summary>
/// The network's command-line options, a line each: the flag, the <see cref="SequenceModelOptions"/>
/// property it sets, and what it means. Everything else derives from that property, the one definition
/// of the option: the flag's type, the default and the choices the help shows, the parsing, the value
/// written (to RnnTrainerOptions.Network), and the flag named in an error about the property. A test
/// checks that every property is here or in <see cref="NotOnTheCommandLine"/>.
/// </summary>
internal sealed class NetworkOptions
{
    private static readonly (string Flag, string Property, string Description)[] Table =
    [
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
        [nameof(SequenceModelOptions.ClassWeights)] = "one per class in the labels' order, which the data decides: set them in the library (RnnTrainerOptions.ClassWeights)",
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

    /// <summary>The flags given on the command line that set one of <paramref name="properties"/>, in the table's order.</summary>
    public IReadOnlyList<string> GivenAmong(ParseResult parse, IReadOnlySet<string> properties) =>
        _entries.Where(e => properties.Contains(e.Property.Name) && e.Read(parse) is not null).Select(e => e.Flag).ToList();

    private sealed record Entry(string Flag, PropertyInfo Property, Option Option, Func<ParseResult, object?> Read);

    private readonly Entry[] _entries = Table.Select(row => Declare(row.Flag, typeof(SequenceModelOptions).GetProperty(row.Property)
        ?? throw new InvalidOperationException($"{row.Flag}: SequenceModelOptions has no property {row.Property}"), row.Description)).ToArray();

    /// <summary>The properties the table sets, for the test that every one has a flag or a reason.</summary>
    public static IEnumerable<string> Properties => Table.Select(row => row.Property);

    /// <summary>The flag that sets a property (by its SequenceModelOptions name; the trainer's EmbeddingDimension is InputSize), or null.</summary>
    public static string? FlagOf(string? property) =>
        Table.FirstOrDefault(row => row.Property == (property == "EmbeddingDimension" ? nameof(SequenceModelOptions.InputSize) : property)).Flag;

    public void AddTo(Command command)
    {
        foreach (var entry in _entries) command.Options.Add(entry.Option);
    }

    /// <summary>Writes each option given on the command line into <paramref name="network"/>; the others keep their defaults.</summary>
    public void Apply(ParseResult parse, SequenceModelOptions network)
    {
        foreach (var entry in _entries)
        {
            if (entry.Read(parse) is { } value) entry.Property.SetValue(network, value);
        }
    }

    private static Entry Declare(string flag, PropertyInfo property, string description)
    {
        Type type = property.PropertyType;
        object? initial = property.GetValue(new SequenceModelOptions());
        description = description.TrimEnd('.');
        if (type.IsEnum)
        {
            var choices = Enum.GetValues(type).Cast<object>().Select(v => (Name: ChoiceName(v), Value: v)).ToArray();
            string names = string.Join(", ", choices[..^1].Select(c => c.Name)) + " or " + choices[^1].Name;
            var option = new Option<string>(flag) { Description = $"{description}: {names} (default {ChoiceName(initial!)})." };
            return new Entry(flag, property, option, parse => parse.GetResult(option) is null or { Implicit: true } ? null : Choice.Parse(flag, parse.GetValue(option)!, choices));
        }
        string shown = Convert.ToString(initial, CultureInfo.InvariantCulture)!.ToLowerInvariant();
        description = $"{description} (default {shown}).";
        return type == typeof(int) ? Typed<int>(flag, property, description)
            : type == typeof(float) ? Typed<float>(flag, property, description)
            : type == typeof(double) ? Typed<double>(flag, property, description)
            : type == typeof(bool) ? Typed<bool>(flag, property, description)
            : throw new InvalidOperationException($"{flag}: no command-line form for {type.Name}");
    }

    // Given or not is the parse result's (a bool option has an implicit result when left out), so that a
    // flag left out keeps the property's own default.
    private static Entry Typed<T>(string flag, PropertyInfo property, string description)
    {
        var option = new Option<T>(flag) { Description = description };
        return new Entry(flag, property, option, parse => parse.GetResult(option) is null or { Implicit: true } ? null : parse.GetValue(option));
    }

    // SequencePooling.Attention -> attention, RnnCellType.RnnRelu -> rnn-relu.
    private static string ChoiceName(object value) =>
        string.Concat(value.ToString()!.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
