namespace SeqClassify.MLNet.Data;

/// <summary>The ordered, named, typed columns of a data view.</summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName;

    /// <summary>One column: its position, name and type, plus optional annotations.</summary>
    /// <param name="Index">Position in the schema.</param>
    /// <param name="Name">Column name.</param>
    /// <param name="Type">Column type.</param>
    /// <param name="KeyValues">For key columns, the name of each category (key k is KeyValues[k-1]); for
    /// token-id vectors, the vocabulary (id i is KeyValues[i]).</param>
    public sealed record Column(int Index, string Name, DataViewType Type, IReadOnlyList<string>? KeyValues = null)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Name}: {Type}";
    }

    /// <summary>Builds a schema from (name, type, key values); later columns of the same name replace earlier ones.</summary>
    public DataViewSchema(IEnumerable<(string Name, DataViewType Type, IReadOnlyList<string>? KeyValues)> columns)
    {
        var list = new List<Column>();
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, type, keys) in columns)
        {
            if (_byName.TryGetValue(name, out int existing))
            {
                list[existing] = new Column(existing, name, type, keys);
            }
            else
            {
                _byName[name] = list.Count;
                list.Add(new Column(list.Count, name, type, keys));
            }
        }
        _columns = list.ToArray();
    }

    /// <inheritdoc />
    public Column this[int index] => _columns[index];

    /// <summary>The column of this name; throws an <see cref="ArgumentOutOfRangeException"/> listing the columns there are.</summary>
    public Column this[string name] => GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(
        nameof(name), name, $"Column '{name}' not found. Columns: {string.Join(", ", _columns.Select(c => c.ToString()))}.");

    /// <inheritdoc />
    public int Count => _columns.Length;

    /// <summary>The column of this name, or null.</summary>
    public Column? GetColumnOrNull(string name) => _byName.TryGetValue(name, out int i) ? _columns[i] : null;

    /// <summary>A copy with columns added or replaced.</summary>
    public DataViewSchema With(IEnumerable<Column> columns) =>
        new(_columns.Concat(columns).Select(c => (c.Name, c.Type, c.KeyValues)));

    /// <inheritdoc />
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _columns.Select(c => c.ToString()));
}
