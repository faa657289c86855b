using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using SeqClassify.MLNet.Onnx;
using SeqClassify.MLNet.Text;

[assembly: LoadableClass(typeof(TokenToIdMappingTransformer), null, typeof(SignatureLoadModel),
    "SeqClassify token to id mapping", TokenToIdMappingTransformer.LoaderSignature)]

namespace SeqClassify.MLNet.Text;

/// <summary>Options of <see cref="TokenToIdMappingEstimator"/>; every default is declared here.</summary>
public sealed class TokenToIdMappingOptions
{
    /// <summary>Output column of token ids: a variable-length Vector&lt;Int64&gt; annotated with the vocabulary.</summary>
    public string OutputColumnName { get; set; } = "Ids";

    /// <summary>Input column of tokens: a vector of Text, e.g. from ML.NET's TokenizeIntoWords.</summary>
    public string InputColumnName { get; set; } = "Tokens";

    /// <summary>Output column holding each row's number of ids (Int32); null for none.</summary>
    public string? LengthColumnName { get; set; } = "Length";

    /// <summary>A token enters the vocabulary when it occurs at least this often in the training data.</summary>
    public int MinimumFrequency { get; set; } = 1;

    /// <summary>At most this many entries including &lt;pad&gt; and &lt;unk&gt;; 0 = no limit. The most frequent tokens are kept.</summary>
    public int MaximumSize { get; set; }

    /// <summary>Lower-case tokens (invariant culture) before counting and lookup.</summary>
    public bool LowerCase { get; set; }

    /// <summary>Truncate id sequences to this many ids; 0 = no limit.</summary>
    public int MaximumLength { get; set; }

    /// <summary>Which ids a truncated sequence keeps.</summary>
    public TruncationPolicy Truncation { get; set; } = TruncationPolicy.KeepHead;

    internal void Validate()
    {
        ColumnChecks.RequireName(OutputColumnName, nameof(OutputColumnName));
        ColumnChecks.RequireName(InputColumnName, nameof(InputColumnName));
        if (LengthColumnName is not null) ColumnChecks.RequireName(LengthColumnName, nameof(LengthColumnName));
        if (MinimumFrequency < 1) throw new ArgumentOutOfRangeException(nameof(MinimumFrequency), MinimumFrequency, "MinimumFrequency must be at least 1.");
        if (MaximumSize is < 0 or 1 or 2) throw new ArgumentOutOfRangeException(nameof(MaximumSize), MaximumSize, "MaximumSize must be 0 (no limit) or more than 2.");
        if (MaximumLength < 0) throw new ArgumentOutOfRangeException(nameof(MaximumLength), MaximumLength, "MaximumLength must be 0 (no limit) or positive.");
        if (!Enum.IsDefined(Truncation)) throw new ArgumentOutOfRangeException(nameof(Truncation), Truncation, "Truncation must be a TruncationPolicy.");
    }
}

/// <summary>
/// Learns a vocabulary from a token column: id 0 is &lt;pad&gt;, 1 is &lt;unk&gt;, then tokens by
/// descending frequency (ties in ordinal order). Unknown tokens map to 1.
/// </summary>
public sealed class TokenToIdMappingEstimator : IEstimator<TokenToIdMappingTransformer>
{
    private readonly IHost _host;
    private readonly TokenToIdMappingOptions _options;

    internal TokenToIdMappingEstimator(IHostEnvironment env, TokenToIdMappingOptions options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(TokenToIdMappingEstimator));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public TokenToIdMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = ColumnChecks.RequireTokens(input.Schema, _options.InputColumnName);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var cursor = input.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
            VBuffer<ReadOnlyMemory<char>> tokens = default;
            while (cursor.MoveNext())
            {
                getter(ref tokens);
                foreach (var token in tokens.DenseValues())
                {
                    string key = _options.LowerCase ? token.ToString().ToLowerInvariant() : token.ToString();
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }
        var vocabulary = Vocabulary.Learn(counts, _options.MinimumFrequency, _options.MaximumSize);
        return new TokenToIdMappingTransformer(_host, _options, vocabulary);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ColumnChecks.Require(inputSchema, _options.InputColumnName, "a vector of Text tokens (e.g. from TokenizeIntoWords)",
            c => c.Kind != SchemaShape.Column.VectorKind.Scalar && c.ItemType is TextDataViewType);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.OutputColumnName] = new SchemaShape.Column(_options.OutputColumnName, SchemaShape.Column.VectorKind.VariableVector,
            NumberDataViewType.Int64, false, new SchemaShape([TokenToIdMappingTransformer.VocabularyAnnotationShape]));
        if (_options.LengthColumnName is { } length)
        {
            columns[length] = new SchemaShape.Column(length, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Int32, false);
        }
        return new SchemaShape(columns.Values);
    }
}

/// <summary>
/// Maps tokens to vocabulary ids, truncates, and reports each row's length. The ids column carries the
/// vocabulary as a <see cref="VocabularyAnnotationKind"/> annotation (Vector&lt;Text&gt;, tokens in id
/// order), so that ids can be decoded and pretrained vectors looked up.
/// </summary>
/// <remarks>Empty input (no tokens, e.g. blank text) becomes a single &lt;unk&gt; id, as in the PyTorch reference, so every row can be classified.</remarks>
public sealed class TokenToIdMappingTransformer : RowToRowTransformerBase
{
    /// <summary>The annotation of an ids column that holds its vocabulary.</summary>
    public const string VocabularyAnnotationKind = "SeqClassify.Vocabulary";

    internal const string LoaderSignature = "SeqClassifyTokenIds";

    internal static readonly SchemaShape.Column VocabularyAnnotationShape =
        new(VocabularyAnnotationKind, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false);

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "SCTOKIDS",
        // 0x00010002: Model.key's settings again in a checksummed Settings.bin (older readers ignore it).
        verWrittenCur: SettingsVersion,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(TokenToIdMappingTransformer).Assembly.FullName);

    internal TokenToIdMappingTransformer(IHostEnvironment env, TokenToIdMappingOptions options, Vocabulary vocabulary)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(TokenToIdMappingTransformer)))
    {
        Options = options;
        Vocabulary = vocabulary;
    }

    private TokenToIdMappingTransformer(IHostEnvironment env, ModelLoadContext ctx)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(TokenToIdMappingTransformer)))
    {
        ModelPayload.CheckVersion(ctx, GetVersionInfo(), LoaderSignature);
        var reader = ctx.Reader;
        Options = new TokenToIdMappingOptions
        {
            OutputColumnName = reader.ReadString(),
            InputColumnName = reader.ReadString(),
            LengthColumnName = reader.ReadBoolean() ? reader.ReadString() : null,
            MinimumFrequency = reader.ReadInt32(),
            MaximumSize = reader.ReadInt32(),
            LowerCase = reader.ReadBoolean(),
            MaximumLength = reader.ReadInt32(),
            Truncation = (TruncationPolicy)reader.ReadInt32(),
        };
        ModelPayload.CheckSettings(ctx, LoaderSignature, ctx.Header.ModelVerWritten >= SettingsVersion, Settings());
        Options.Validate();
        Vocabulary = new Vocabulary(ModelPayload.Read(ctx, "Vocabulary", LoaderSignature, ModelPayload.ReadStrings));
    }

    /// <summary>The options in use.</summary>
    public TokenToIdMappingOptions Options { get; }

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
        IEnumerable<int> positions = max == 0 || n <= max || Options.Truncation == TruncationPolicy.KeepAll ? Enumerable.Range(0, n) : Options.Truncation switch
        {
            TruncationPolicy.KeepTail => Enumerable.Range(n - max, max),
            TruncationPolicy.KeepHeadAndTail => Enumerable.Range(0, (max + 1) / 2).Concat(Enumerable.Range(n - max / 2, max / 2)),
            _ => Enumerable.Range(0, max),
        };
        return positions.Select(i => Vocabulary.IdOf(Options.LowerCase ? tokens[i].ToLowerInvariant() : tokens[i])).ToArray();
    }

    /// <inheritdoc />
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <inheritdoc />
    public override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        var writer = ctx.Writer;
        writer.Write(Options.OutputColumnName);
        writer.Write(Options.InputColumnName);
        writer.Write(Options.LengthColumnName is not null);
        if (Options.LengthColumnName is not null) writer.Write(Options.LengthColumnName);
        writer.Write(Options.MinimumFrequency);
        writer.Write(Options.MaximumSize);
        writer.Write(Options.LowerCase);
        writer.Write(Options.MaximumLength);
        writer.Write((int)Options.Truncation);
        ModelPayload.Write(ctx, "Vocabulary", w => ModelPayload.WriteStrings(w, Vocabulary.Tokens));
        ModelPayload.WriteSettings(ctx, Settings());
    }

    private const uint SettingsVersion = 0x00010002;

    private object?[] Settings() =>
    [
        Options.OutputColumnName, Options.InputColumnName, Options.LengthColumnName, Options.MinimumFrequency, Options.MaximumSize,
        Options.LowerCase, Options.MaximumLength, Options.Truncation,
    ];

    private sealed class Mapper(TokenToIdMappingTransformer parent, DataViewSchema schema) : MapperBase(parent.Host, schema, parent), ISaveAsOnnx
    {
        private readonly int _input = ColumnChecks.RequireTokens(schema, parent.Options.InputColumnName).Index;

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var tokens = parent.Vocabulary.Tokens;
            var annotations = new DataViewSchema.Annotations.Builder();
            annotations.Add(VocabularyAnnotationKind, new VectorDataViewType(TextDataViewType.Instance, tokens.Count),
                (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(tokens.Count, tokens.Select(t => t.AsMemory()).ToArray()));
            var ids = new DataViewSchema.DetachedColumn(parent.Options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Int64), annotations.ToAnnotations());
            return parent.Options.LengthColumnName is { } length
                ? [ids, new DataViewSchema.DetachedColumn(length, NumberDataViewType.Int32)]
                : [ids];
        }

        /// <summary>The ids and the length getters share one mapping of the row.</summary>
        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getters = new Delegate[OutputColumns.Value.Length];
            // A cursor that reads none of the outputs has the input inactive: asking for its getter would throw.
            if (!Enumerable.Range(0, getters.Length).Any(activeOutput)) return getters;
            var getter = input.GetGetter<VBuffer<ReadOnlyMemory<char>>>(input.Schema[_input]);
            VBuffer<ReadOnlyMemory<char>> tokens = default;
            long position = -1;
            long[] ids = [];
            long[] Current()
            {
                if (position != input.Position)
                {
                    getter(ref tokens);
                    ids = parent.Map(tokens.DenseValues().Select(t => t.ToString()).ToArray());
                    position = input.Position;
                }
                return ids;
            }
            if (activeOutput(0))
            {
                getters[0] = (ValueGetter<VBuffer<long>>)((ref VBuffer<long> value) =>
                {
                    var current = Current();
                    var editor = VBufferEditor.Create(ref value, current.Length);
                    current.CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            if (getters.Length > 1 && activeOutput(1))
            {
                getters[1] = (ValueGetter<int>)((ref int value) => value = Current().Length);
            }
            return getters;
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer) =>
            CreateGetters(input, column => column == iinfo, out disposer)[iinfo];

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) =>
            column => column == _input && Enumerable.Range(0, OutputColumns.Value.Length).Any(activeOutput);

        public override void SaveModel(ModelSaveContext ctx) => parent.SaveModel(ctx);

        public bool CanSaveOnnx(OnnxContext ctx) => TokenIdsOnnxExport.CanSave(parent, ctx);

        public void SaveAsOnnx(OnnxContext ctx) => TokenIdsOnnxExport.Save(parent, ctx, OutputColumns.Value);
    }
}
