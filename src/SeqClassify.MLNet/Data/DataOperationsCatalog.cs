using SeqClassify.MLNet.Conversion;
using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Data;

/// <summary>A train/test pair from <see cref="DataOperationsCatalog.TrainTestSplit"/>.</summary>
public sealed record TrainTestData(IDataView TrainSet, IDataView TestSet);

/// <summary>The first rows of a view, for looking at in a debugger or a test.</summary>
public sealed class DataDebuggerPreview
{
    internal DataDebuggerPreview(DataViewSchema schema, IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>> rows)
    {
        Schema = schema;
        RowView = rows;
    }

    /// <summary>The view's schema.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>Each row as (column name, value) pairs.</summary>
    public IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>> RowView { get; }
}

/// <summary>Loading, splitting and reading data (ML.NET's DataOperationsCatalog).</summary>
public sealed class DataOperationsCatalog
{
    private readonly MLContext _context;

    internal DataOperationsCatalog(MLContext context) => _context = context;

    /// <summary>A lazy view over objects; public fields and properties are the columns ([ColumnName] renames, [NoColumn] skips).</summary>
    public IDataView LoadFromEnumerable<T>(IEnumerable<T> data) where T : class
    {
        ArgumentNullException.ThrowIfNull(data);
        return new EnumerableDataView<T>(data);
    }

    /// <summary>A text loader for the given columns.</summary>
    public TextLoader CreateTextLoader(TextLoader.Options options) => new(_context, options);

    /// <summary>Loads a CSV/TSV file into the columns of <typeparamref name="T"/>, each marked [LoadColumn(index)].</summary>
    public IDataView LoadFromTextFile<T>(string path, char separatorChar = ',', bool hasHeader = false,
        bool allowQuoting = true, bool skipMalformedRows = false) where T : class
    {
        var members = ObjectColumns<T>.Instance.Members;
        var missing = members.FirstOrDefault(m => m.LoadIndex is null);
        if (missing is not null)
        {
            throw new ArgumentException($"{typeof(T).Name}: member for column '{missing.ColumnName}' has no [LoadColumn(index)] attribute.");
        }
        return CreateTextLoader(new TextLoader.Options
        {
            Columns = members.Select(m => new TextLoader.Column(m.ColumnName, m.Type, m.LoadIndex)).ToArray(),
            Separator = separatorChar,
            HasHeader = hasHeader,
            AllowQuoting = allowQuoting,
            SkipMalformedRows = skipMalformedRows,
        }).Load(path);
    }

    /// <summary>Loads a CSV/TSV file into the given columns (by index, or by header name).</summary>
    public IDataView LoadFromTextFile(string path, IReadOnlyList<TextLoader.Column> columns, char separatorChar = ',',
        bool hasHeader = false, bool allowQuoting = true, bool skipMalformedRows = false) =>
        CreateTextLoader(new TextLoader.Options
        {
            Columns = columns, Separator = separatorChar, HasHeader = hasHeader, AllowQuoting = allowQuoting, SkipMalformedRows = skipMalformedRows,
        }).Load(path);

    /// <summary>
    /// Splits rows at random into a training and a test set (both held in memory). With
    /// <paramref name="stratificationColumnName"/>, each value of that column is split in the same proportion.
    /// </summary>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, string? stratificationColumnName = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (testFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        var rows = data.GetRows().Select(r => r.Values).ToList();
        int[] strata = new int[rows.Count];
        if (stratificationColumnName is not null)
        {
            int column = data.Schema[stratificationColumnName].Index;
            var names = rows.Select(r => r[column] is { } v ? ValueToKeyMappingTransformer.NameOf(v) : "").ToArray();
            var ids = names.Distinct().Order(StringComparer.Ordinal).Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
            strata = names.Select(n => ids[n]).ToArray();
        }
        var (train, test) = Stratified.Split(strata, testFraction, seed ?? _context.Seed);
        return new TrainTestData(new InMemoryDataView(data.Schema, train.Select(i => rows[i]).ToList()),
            new InMemoryDataView(data.Schema, test.Select(i => rows[i]).ToList()));
    }

    /// <summary>Reads rows back as objects; members are matched to columns by name and must have the column's type.</summary>
    public IEnumerable<T> CreateEnumerable<T>(IDataView data) where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        var binding = RowBinding<T>.Create(data.Schema);
        foreach (var row in data.GetRows())
        {
            yield return binding.Read(row);
        }
    }

    /// <summary>The first <paramref name="maxRows"/> rows with their column names.</summary>
    public DataDebuggerPreview Preview(IDataView data, int maxRows = 100)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = data.GetRows().Take(maxRows)
            .Select(r => (IReadOnlyList<KeyValuePair<string, object?>>)data.Schema.Select(c => KeyValuePair.Create(c.Name, r.Values[c.Index])).ToList())
            .ToList();
        return new DataDebuggerPreview(data.Schema, rows);
    }
}

/// <summary>How the members of <typeparamref name="T"/> read from the columns of a schema.</summary>
internal sealed class RowBinding<T> where T : class, new()
{
    private readonly (int Column, Action<T, object?> Set)[] _setters;

    private RowBinding((int, Action<T, object?>)[] setters) => _setters = setters;

    public static RowBinding<T> Create(DataViewSchema schema)
    {
        var setters = new List<(int, Action<T, object?>)>();
        foreach (var member in ObjectColumns<T>.Instance.Members.Where(m => m.Set is not null))
        {
            var column = schema.GetColumnOrNull(member.ColumnName) ?? throw new ArgumentOutOfRangeException(
                nameof(T), member.ColumnName, $"{typeof(T).Name} reads column '{member.ColumnName}', which the data does not have. Columns: {schema}.");
            if (column.Type.RawType != member.Type.RawType)
            {
                throw new InvalidOperationException(
                    $"{typeof(T).Name} reads column '{member.ColumnName}' as {member.Type}, but the column holds {column.Type}.");
            }
            setters.Add((column.Index, member.Set!));
        }
        return new RowBinding<T>(setters.ToArray());
    }

    public T Read(DataViewRow row)
    {
        var item = new T();
        foreach (var (column, set) in _setters)
        {
            set(item, row.Values[column]);
        }
        return item;
    }
}
