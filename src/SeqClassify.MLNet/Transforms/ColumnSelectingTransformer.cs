using System.Text.Json.Nodes;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Persistence;

namespace SeqClassify.MLNet.Transforms;

/// <summary>
/// Keeps only some columns (SelectColumns) or removes some (DropColumns), as ML.NET's
/// ColumnSelectingTransformer: for instance, drop the token arrays once the ids exist, so that a
/// materialized view holds only what the next steps read.
/// </summary>
public sealed class ColumnSelectingTransformer : ITransformer, ICanSaveModel
{
    internal const string KindName = "SelectColumns";

    internal ColumnSelectingTransformer(IReadOnlyList<string> keep, IReadOnlyList<string> drop)
    {
        if ((keep.Count == 0) == (drop.Count == 0))
        {
            throw new ArgumentException("Give the columns to keep or the columns to drop: one list, not both and not neither.");
        }
        foreach (var name in keep.Concat(drop)) SchemaChecks.RequireName(name, "columnNames");
        Keep = keep;
        Drop = drop;
    }

    /// <summary>The columns kept (in this order), or empty when dropping.</summary>
    public IReadOnlyList<string> Keep { get; }

    /// <summary>The columns dropped, or empty when keeping.</summary>
    public IReadOnlyList<string> Drop { get; }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Selected(inputSchema).Schema;

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (schema, sources) = Selected(input.Schema);
        return new ProjectedView(input, schema, sources);
    }

    private (DataViewSchema Schema, int[] Sources) Selected(DataViewSchema input)
    {
        foreach (var name in Keep.Concat(Drop))
        {
            if (input.GetColumnOrNull(name) is null)
            {
                throw new ArgumentOutOfRangeException(nameof(input), name, $"Column '{name}' not found. Columns: {input}.");
            }
        }
        var columns = Keep.Count > 0 ? Keep.Select(n => input[n]).ToList() : input.Where(c => !Drop.Contains(c.Name)).ToList();
        return (new DataViewSchema(columns.Select(c => (c.Name, c.Type, c.KeyValues))), columns.Select(c => c.Index).ToArray());
    }

    string ICanSaveModel.Kind => KindName;

    void ICanSaveModel.Save(ModelSaveContext context)
    {
        context.Options["keep"] = new JsonArray(Keep.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        context.Options["drop"] = new JsonArray(Drop.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
    }

    internal static ColumnSelectingTransformer Load(ModelLoadContext context) => new(context.GetStrings("keep"), context.GetStrings("drop"));

    private sealed class ProjectedView(IDataView input, DataViewSchema schema, int[] sources) : IDataView
    {
        public DataViewSchema Schema { get; } = schema;

        public long? GetRowCount() => input.GetRowCount();

        public IEnumerable<DataViewRow> GetRows()
        {
            foreach (var row in input.GetRows())
            {
                var values = new object?[sources.Length];
                for (int i = 0; i < sources.Length; i++) values[i] = row.Values[sources[i]];
                yield return new DataViewRow(Schema, row.Position, values);
            }
        }
    }
}
