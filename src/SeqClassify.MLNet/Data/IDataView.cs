namespace SeqClassify.MLNet.Data;

/// <summary>
/// A schema'd, lazily enumerated table, as in ML.NET. Enumerating <see cref="GetRows"/> again
/// starts from the first row again (a file is re-read, a transform re-applied).
/// </summary>
public interface IDataView
{
    /// <summary>The columns every row has.</summary>
    DataViewSchema Schema { get; }

    /// <summary>The rows, in order; values are indexed like <see cref="Schema"/>.</summary>
    IEnumerable<DataViewRow> GetRows();

    /// <summary>The number of rows when known without enumerating, else null.</summary>
    long? GetRowCount();
}

/// <summary>One row: its position and one value per schema column.</summary>
public sealed class DataViewRow(DataViewSchema schema, long position, object?[] values)
{
    /// <summary>The row's schema.</summary>
    public DataViewSchema Schema { get; } = schema;

    /// <summary>0-based position of the row in its view.</summary>
    public long Position { get; } = position;

    /// <summary>The values, indexed like <see cref="Schema"/>.</summary>
    public object?[] Values { get; } = values;

    /// <summary>The value of a column by name, checked against the requested type.</summary>
    public T GetValue<T>(string column) => GetValue<T>(Schema[column].Index);

    /// <summary>The value of a column by index, checked against the requested type.</summary>
    public T GetValue<T>(int column)
    {
        object? value = Values[column];
        if (value is T typed)
        {
            return typed;
        }
        if (value is null && default(T) is null)
        {
            return default!;
        }
        throw new InvalidOperationException(
            $"Column '{Schema[column].Name}' holds {Schema[column].Type}, not {typeof(T).Name} (row {Position}).");
    }
}
