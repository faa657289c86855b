using System.Text.Json;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Persistence;

namespace SeqClassify.MLNet.Text;

/// <summary>Which tokens a too-long sequence keeps.</summary>
public enum TruncationPolicy
{
    /// <summary>The first MaximumLength tokens.</summary>
    KeepHead,
    /// <summary>The last MaximumLength tokens.</summary>
    KeepTail,
    /// <summary>The first half and the last half (the head gets the odd one).</summary>
    KeepHeadAndTail,
}

/// <summary>Options of the vocabulary estimator (<see cref="TokenToIdMappingEstimator"/>).</summary>
public sealed class VocabularyOptions
{
    /// <summary>Output column of token ids: Vector&lt;Int64&gt;, whose KeyValues are the vocabulary.</summary>
    public string OutputColumnName { get; set; } = "Ids";

    /// <summary>Input column of tokens (Vector&lt;Text&gt;); defaults to "Tokens".</summary>
    public string InputColumnName { get; set; } = "Tokens";

    /// <summary>Output column holding each row's number of ids (Int32); null for none.</summary>
    public string? LengthColumnName { get; set; } = "Length";

    /// <summary>A token enters the vocabulary when it occurs at least this often in the training data.</summary>
    public int MinimumFrequency { get; set; } = 1;

    /// <summary>At most this many entries including &lt;pad&gt; and &lt;unk&gt;; 0 = no limit. The most frequent tokens are kept.</summary>
    public int MaximumSize { get; set; }

    /// <summary>Lower-case tokens before counting and lookup.</summary>
    public bool LowerCase { get; set; }

    /// <summary>Truncate id sequences to this many ids; 0 = no limit.</summary>
    public int MaximumLength { get; set; }

    /// <summary>Which ids a truncated sequence keeps.</summary>
    public TruncationPolicy Truncation { get; set; } = TruncationPolicy.KeepHead;
}

/// <summary>
/// Learns a vocabulary from a token column: id 0 is &lt;pad&gt;, 1 is &lt;unk&gt;, then tokens by
/// descending frequency (ties in ordinal order). Unknown tokens map to 1.
/// </summary>
public sealed class TokenToIdMappingEstimator(VocabularyOptions options) : IEstimator<TokenToIdMappingTransformer>
{
    /// <inheritdoc />
    public TokenToIdMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        int column = input.Schema[options.InputColumnName].Index;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in input.GetRows())
        {
            if (row.Values[column] is not string[] tokens) continue;
            foreach (var token in tokens)
            {
                string key = options.LowerCase ? token.ToLowerInvariant() : token;
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        var kept = counts.Where(kv => kv.Value >= options.MinimumFrequency && kv.Key is not (Vocabulary.Pad or Vocabulary.Unknown))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key);
        if (options.MaximumSize > 0)
        {
            kept = kept.Take(options.MaximumSize - 2);
        }
        return new TokenToIdMappingTransformer(options, new Vocabulary([Vocabulary.Pad, Vocabulary.Unknown, .. kept]));
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        Validate(options);
        SchemaChecks.RequireTokens(inputSchema, options.InputColumnName);
        return inputSchema.With(TokenToIdMappingTransformer.Columns(options, null));
    }

    internal static void Validate(VocabularyOptions options)
    {
        SchemaChecks.RequireName(options.OutputColumnName, nameof(options.OutputColumnName));
        if (options.MinimumFrequency < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MinimumFrequency, "MinimumFrequency must be at least 1.");
        if (options.MaximumSize is < 0 or 1 or 2) throw new ArgumentOutOfRangeException(nameof(options), options.MaximumSize, "MaximumSize must be 0 (no limit) or more than 2.");
        if (options.MaximumLength < 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaximumLength, "MaximumLength must be 0 (no limit) or positive.");
    }
}

/// <summary>A token → id table with the reverse view for debugging.</summary>
public sealed class Vocabulary
{
    /// <summary>The padding token, id 0.</summary>
    public const string Pad = "<pad>";
    /// <summary>The unknown token, id 1.</summary>
    public const string Unknown = "<unk>";

    private readonly Dictionary<string, long> _ids;

    /// <summary>Builds the table from tokens in id order; the first two must be &lt;pad&gt; and &lt;unk&gt;.</summary>
    public Vocabulary(IReadOnlyList<string> tokens)
    {
        if (tokens.Count < 2 || tokens[0] != Pad || tokens[1] != Unknown)
        {
            throw new ArgumentException("A vocabulary starts with <pad> and <unk>.", nameof(tokens));
        }
        Tokens = tokens;
        _ids = new Dictionary<string, long>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!_ids.TryAdd(tokens[i], i)) throw new ArgumentException($"Token '{tokens[i]}' appears twice in the vocabulary.", nameof(tokens));
        }
    }

    /// <summary>Tokens by id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Number of entries including &lt;pad&gt; and &lt;unk&gt;.</summary>
    public int Count => Tokens.Count;

    /// <summary>The id of a token; 1 (&lt;unk&gt;) when unknown.</summary>
    public long IdOf(string token) => _ids.GetValueOrDefault(token, 1);

    /// <summary>The tokens of ids, for debugging (an id outside the table reads as &lt;?id&gt;).</summary>
    public string Decode(IEnumerable<long> ids) =>
        string.Join(' ', ids.Select(id => id >= 0 && id < Tokens.Count ? Tokens[(int)id] : $"<?{id}>"));
}

/// <summary>Maps tokens to vocabulary ids, truncates, and reports each row's length.</summary>
/// <remarks>Empty input (no tokens, e.g. blank text) becomes a single &lt;unk&gt; id, as in the PyTorch reference, so every row can be classified.</remarks>
public sealed class TokenToIdMappingTransformer : RowMappingTransformer
{
    internal const string KindName = "MapTokensToIds";

    internal TokenToIdMappingTransformer(VocabularyOptions options, Vocabulary vocabulary)
    {
        Options = options;
        Vocabulary = vocabulary;
    }

    /// <summary>The options in use.</summary>
    public VocabularyOptions Options { get; }

    /// <summary>The learned vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The ids of a token sequence, truncated per the options.</summary>
    public long[] Map(IReadOnlyList<string>? tokens)
    {
        if (tokens is null || tokens.Count == 0)
        {
            return [1];
        }
        int n = tokens.Count, max = Options.MaximumLength;
        IEnumerable<int> positions = max == 0 || n <= max ? Enumerable.Range(0, n) : Options.Truncation switch
        {
            TruncationPolicy.KeepTail => Enumerable.Range(n - max, max),
            TruncationPolicy.KeepHeadAndTail => Enumerable.Range(0, (max + 1) / 2).Concat(Enumerable.Range(n - max / 2, max / 2)),
            _ => Enumerable.Range(0, max),
        };
        return positions.Select(i => Vocabulary.IdOf(Options.LowerCase ? tokens[i].ToLowerInvariant() : tokens[i])).ToArray();
    }

    internal static IReadOnlyList<DataViewSchema.Column> Columns(VocabularyOptions options, Vocabulary? vocabulary)
    {
        var ids = new DataViewSchema.Column(0, options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Int64), vocabulary?.Tokens);
        return options.LengthColumnName is null ? [ids] : [ids, new DataViewSchema.Column(0, options.LengthColumnName, NumberDataViewType.Int32)];
    }

    /// <inheritdoc />
    protected override IReadOnlyList<DataViewSchema.Column> AddedColumns(DataViewSchema inputSchema)
    {
        SchemaChecks.RequireTokens(inputSchema, Options.InputColumnName);
        return Columns(Options, Vocabulary);
    }

    /// <inheritdoc />
    protected override Func<IReadOnlyList<DataViewRow>, object?[][]> Bind(DataViewSchema inputSchema)
    {
        int input = inputSchema[Options.InputColumnName].Index;
        bool withLength = Options.LengthColumnName is not null;
        return rows => rows.Select(r =>
        {
            long[] ids = Map(r.Values[input] as string[]);
            return withLength ? new object?[] { ids, ids.Length } : [ids];
        }).ToArray();
    }

    internal override string Kind => KindName;

    internal override void Save(ModelSaveContext context)
    {
        context.Options["outputColumnName"] = Options.OutputColumnName;
        context.Options["inputColumnName"] = Options.InputColumnName;
        context.Options["lengthColumnName"] = Options.LengthColumnName;
        context.Options["minimumFrequency"] = Options.MinimumFrequency;
        context.Options["maximumSize"] = Options.MaximumSize;
        context.Options["lowerCase"] = Options.LowerCase;
        context.Options["maximumLength"] = Options.MaximumLength;
        context.Options["truncation"] = Options.Truncation.ToString();
        context.Options["vocabularySize"] = Vocabulary.Count;
        context.Options["vocabularyEntry"] = context.AddEntry("vocabulary.json", JsonSerializer.SerializeToUtf8Bytes(Vocabulary.Tokens));
    }

    internal static TokenToIdMappingTransformer Load(ModelLoadContext context)
    {
        var options = new VocabularyOptions
        {
            OutputColumnName = context.Get<string>("outputColumnName"),
            InputColumnName = context.Get<string>("inputColumnName"),
            LengthColumnName = context.Options["lengthColumnName"]?.GetValue<string>(),
            MinimumFrequency = context.Get<int>("minimumFrequency"),
            MaximumSize = context.Get<int>("maximumSize"),
            LowerCase = context.Get<bool>("lowerCase"),
            MaximumLength = context.Get<int>("maximumLength"),
            Truncation = Enum.Parse<TruncationPolicy>(context.Get<string>("truncation")),
        };
        // JSON, not lines: a token may itself hold a newline (the character tokenizer).
        string[] tokens = JsonSerializer.Deserialize<string[]>(context.ReadEntry("vocabulary.json"))
            ?? throw new InvalidDataException("The vocabulary entry is empty.");
        int declared = context.Get<int>("vocabularySize");
        if (tokens.Length != declared)
        {
            throw new InvalidDataException($"The vocabulary entry holds {tokens.Length} tokens; the manifest declares {declared}.");
        }
        return new TokenToIdMappingTransformer(options, new Vocabulary(tokens));
    }
}
