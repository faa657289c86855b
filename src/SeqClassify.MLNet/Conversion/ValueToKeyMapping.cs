using System.Globalization;
using System.Text.Json.Nodes;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Persistence;

namespace SeqClassify.MLNet.Conversion;

/// <summary>The order in which <see cref="ValueToKeyMappingEstimator"/> numbers the values it finds.</summary>
public enum KeyOrdinality
{
    /// <summary>In order of first occurrence (ML.NET's default).</summary>
    ByOccurrence,
    /// <summary>In ordinal (string) or numeric order: stable whatever the row order.</summary>
    ByValue,
}

/// <summary>Options of <see cref="ValueToKeyMappingEstimator"/>.</summary>
public sealed class ValueToKeyMappingOptions
{
    /// <summary>Output key column.</summary>
    public string OutputColumnName { get; set; } = "Label";

    /// <summary>Input column (Text or a number); defaults to the output column.</summary>
    public string? InputColumnName { get; set; }

    /// <summary>The order of the keys.</summary>
    public KeyOrdinality KeyOrdinality { get; set; } = KeyOrdinality.ByOccurrence;
}

/// <summary>
/// Learns the distinct values of a column (string or integer labels) and maps each to a key
/// 1..K. A value not seen in training, or a null, maps to key 0 ("missing"), as in ML.NET.
/// The value names are the output column's KeyValues and are saved with the model.
/// </summary>
public sealed class ValueToKeyMappingEstimator(ValueToKeyMappingOptions options) : IEstimator<ValueToKeyMappingTransformer>
{
    private string Input => options.InputColumnName ?? options.OutputColumnName;

    /// <inheritdoc />
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Unlike scoring, learning the keys needs the column.
        int column = SchemaChecks.Require(input.Schema, Input, "Text or a number",
            t => t is TextDataViewType or NumberDataViewType or BooleanDataViewType).Index;
        var seen = new List<object>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in input.GetRows())
        {
            object? value = row.Values[column];
            if (value is null || (value is string s && s.Length == 0)) continue;
            if (known.Add(ValueToKeyMappingTransformer.NameOf(value))) seen.Add(value);
        }
        if (options.KeyOrdinality == KeyOrdinality.ByValue)
        {
            seen.Sort(Comparer<object>.Create((a, b) => a is string sa
                ? string.CompareOrdinal(sa, (string)b)
                : Comparer<object>.Default.Compare(a, b)));
        }
        return new ValueToKeyMappingTransformer(options.OutputColumnName, Input, seen.Select(ValueToKeyMappingTransformer.NameOf).ToArray());
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        new ValueToKeyMappingTransformer(options.OutputColumnName, Input, []).GetOutputSchema(inputSchema);
}

/// <summary>Maps values to keys learned by <see cref="ValueToKeyMappingEstimator"/>.</summary>
public sealed class ValueToKeyMappingTransformer : RowMappingTransformer
{
    internal const string KindName = "MapValueToKey";
    private readonly Dictionary<string, uint> _keys;

    internal ValueToKeyMappingTransformer(string output, string input, string[] names)
    {
        SchemaChecks.RequireName(output, "outputColumnName");
        OutputColumnName = output;
        InputColumnName = input;
        KeyNames = names;
        _keys = new Dictionary<string, uint>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++) _keys[names[i]] = (uint)i + 1;
    }

    /// <summary>The output key column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The input value column.</summary>
    public string InputColumnName { get; }

    /// <summary>The value of key k is KeyNames[k - 1].</summary>
    public IReadOnlyList<string> KeyNames { get; }

    internal static string NameOf(object value) => value switch
    {
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <inheritdoc />
    /// <remarks>
    /// Scoring data usually has no label: when the input column is absent the step adds nothing,
    /// so that a fitted pipeline predicts from text alone. Training and evaluation then report
    /// the missing label column themselves.
    /// </remarks>
    protected override IReadOnlyList<DataViewSchema.Column> AddedColumns(DataViewSchema inputSchema)
    {
        if (inputSchema.GetColumnOrNull(InputColumnName) is null)
        {
            return [];
        }
        SchemaChecks.Require(inputSchema, InputColumnName, "Text or a number",
            t => t is TextDataViewType or NumberDataViewType or BooleanDataViewType);
        return [new DataViewSchema.Column(0, OutputColumnName, new KeyDataViewType(KeyNames.Count), KeyNames)];
    }

    /// <inheritdoc />
    protected override Func<IReadOnlyList<DataViewRow>, object?[][]> Bind(DataViewSchema inputSchema)
    {
        if (inputSchema.GetColumnOrNull(InputColumnName) is null)
        {
            return rows => rows.Select(_ => Array.Empty<object?>()).ToArray();
        }
        int input = inputSchema[InputColumnName].Index;
        return rows => rows.Select(r => new object?[]
        {
            r.Values[input] is { } v ? _keys.GetValueOrDefault(NameOf(v)) : 0u,
        }).ToArray();
    }

    internal override string Kind => KindName;

    internal override void Save(ModelSaveContext context)
    {
        context.Options["outputColumnName"] = OutputColumnName;
        context.Options["inputColumnName"] = InputColumnName;
        context.Options["keyNames"] = new JsonArray(KeyNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
    }

    internal static ValueToKeyMappingTransformer Load(ModelLoadContext context) =>
        new(context.Get<string>("outputColumnName"), context.Get<string>("inputColumnName"), context.GetStrings("keyNames"));
}

/// <summary>Maps a key column back to its value names (Text), e.g. PredictedLabel to the label string.</summary>
public sealed class KeyToValueMappingTransformer : RowMappingTransformer
{
    internal const string KindName = "MapKeyToValue";

    internal KeyToValueMappingTransformer(string output, string input)
    {
        SchemaChecks.RequireName(output, "outputColumnName");
        OutputColumnName = output;
        InputColumnName = input;
    }

    /// <summary>The output Text column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The input key column.</summary>
    public string InputColumnName { get; }

    /// <inheritdoc />
    protected override IReadOnlyList<DataViewSchema.Column> AddedColumns(DataViewSchema inputSchema)
    {
        var column = SchemaChecks.Require(inputSchema, InputColumnName, "a key column with value names", t => t is KeyDataViewType);
        if (column.KeyValues is null)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), InputColumnName, $"Key column '{InputColumnName}' carries no value names.");
        }
        return [new DataViewSchema.Column(0, OutputColumnName, TextDataViewType.Instance)];
    }

    /// <inheritdoc />
    protected override Func<IReadOnlyList<DataViewRow>, object?[][]> Bind(DataViewSchema inputSchema)
    {
        var column = inputSchema[InputColumnName];
        var names = column.KeyValues!;
        return rows => rows.Select(r => new object?[]
        {
            r.Values[column.Index] is uint key && key >= 1 && key <= names.Count ? names[(int)key - 1] : null,
        }).ToArray();
    }

    internal override string Kind => KindName;

    internal override void Save(ModelSaveContext context)
    {
        context.Options["outputColumnName"] = OutputColumnName;
        context.Options["inputColumnName"] = InputColumnName;
    }

    internal static KeyToValueMappingTransformer Load(ModelLoadContext context) =>
        new(context.Get<string>("outputColumnName"), context.Get<string>("inputColumnName"));
}
