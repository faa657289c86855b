namespace SeqClassify.MLNet.Data;

/// <summary>A data view over a sequence of objects, read lazily each time it is enumerated.</summary>
internal sealed class EnumerableDataView<T>(IEnumerable<T> items) : IDataView where T : class
{
    private readonly ObjectColumns<T> _columns = ObjectColumns<T>.Instance;

    public DataViewSchema Schema => _columns.Schema;

    public long? GetRowCount() => items is ICollection<T> c ? c.Count : null;

    public IEnumerable<DataViewRow> GetRows()
    {
        var schema = Schema;
        long position = 0;
        foreach (var item in items)
        {
            if (item is null)
            {
                throw new ArgumentException($"Item {position} of the sequence is null.");
            }
            yield return new DataViewRow(schema, position++, _columns.Members.Select(m => m.Get(item)).ToArray());
        }
    }
}

/// <summary>A data view over rows already in memory (splits, folds, caches).</summary>
public sealed class InMemoryDataView(DataViewSchema schema, IReadOnlyList<object?[]> rows) : IDataView
{
    /// <inheritdoc />
    public DataViewSchema Schema { get; } = schema;

    /// <inheritdoc />
    public long? GetRowCount() => rows.Count;

    /// <inheritdoc />
    public IEnumerable<DataViewRow> GetRows()
    {
        for (int i = 0; i < rows.Count; i++)
        {
            yield return new DataViewRow(Schema, i, rows[i]);
        }
    }

    /// <summary>Reads every row of a view into memory.</summary>
    public static InMemoryDataView From(IDataView view) => new(view.Schema, view.GetRows().Select(r => r.Values).ToList());
}
