using System.Globalization;

namespace SeqClassify.MLNet.Data;

/// <summary>
/// Loads a CSV or TSV file as a data view, streaming: the file is read row by row each time the
/// view is enumerated, never whole. Columns are picked by 0-based index or by header name.
/// </summary>
public sealed class TextLoader
{
    /// <summary>One loaded column.</summary>
    /// <param name="Name">Column name in the data view.</param>
    /// <param name="Type">Text, a number or Boolean.</param>
    /// <param name="Index">0-based source field; or null to find <paramref name="SourceName"/> in the header.</param>
    /// <param name="SourceName">Header name of the source field (needs <see cref="Options.HasHeader"/>).</param>
    public sealed record Column(string Name, DataViewType Type, int? Index = null, string? SourceName = null);

    /// <summary>How the file is read.</summary>
    public sealed class Options
    {
        /// <summary>The columns to load.</summary>
        public IReadOnlyList<Column> Columns { get; set; } = [];

        /// <summary>Field separator: ',' for CSV, '\t' for TSV.</summary>
        public char Separator { get; set; } = ',';

        /// <summary>The first record names the fields and is not data.</summary>
        public bool HasHeader { get; set; }

        /// <summary>RFC 4180 quoting: "..." fields with doubled quotes and newlines inside.</summary>
        public bool AllowQuoting { get; set; } = true;

        /// <summary>
        /// False (default): a malformed row throws <see cref="MalformedRecordException"/> naming file,
        /// line and reason. True: it is skipped, logged and counted in <see cref="TextLoader.SkippedRows"/>.
        /// </summary>
        public bool SkipMalformedRows { get; set; }
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal TextLoader(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Columns.Count == 0)
        {
            throw new ArgumentException("Options.Columns is empty: name at least one column to load.", nameof(options));
        }
        foreach (var column in options.Columns)
        {
            if (column.Type is not (TextDataViewType or NumberDataViewType or BooleanDataViewType))
            {
                throw new ArgumentException($"Column '{column.Name}' has type {column.Type}; a text file loads Text, numbers or Boolean.", nameof(options));
            }
            if (column.Index is null && (column.SourceName is null || !options.HasHeader))
            {
                throw new ArgumentException($"Column '{column.Name}' needs an Index, or a SourceName with HasHeader = true.", nameof(options));
            }
        }
        _context = context;
        _options = options;
    }

    /// <summary>Rows skipped as malformed during the last complete enumeration of a loaded view.</summary>
    public long SkippedRows { get; private set; }

    /// <summary>A lazy view of a file. The file must exist; it is re-read on each enumeration.</summary>
    public IDataView Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }
        var schema = new DataViewSchema(_options.Columns.Select(c => (c.Name, c.Type, (IReadOnlyList<string>?)null)));
        return new FileDataView(this, path, schema);
    }

    private IEnumerable<DataViewRow> ReadRows(string path, DataViewSchema schema)
    {
        using var reader = new DelimitedRecordReader(path, _options.Separator, _options.AllowQuoting);
        int[] indices = ResolveIndices(path, reader);
        int needed = indices.Max() + 1;
        long position = 0, skipped = 0;
        while (true)
        {
            object?[]? values;
            try
            {
                var fields = reader.Read();
                if (fields is null)
                {
                    break;
                }
                if (fields.Count == 1 && fields[0].Length == 0)
                {
                    continue;  // a blank line carries no record
                }
                if (fields.Count < needed)
                {
                    throw new MalformedRecordException(path, reader.RecordLine,
                        $"{fields.Count} field(s), but column '{_options.Columns[Array.IndexOf(indices, indices.Max())].Name}' reads field {needed - 1}");
                }
                values = new object?[indices.Length];
                for (int i = 0; i < indices.Length; i++)
                {
                    values[i] = Convert(path, reader.RecordLine, _options.Columns[i], fields[indices[i]]);
                }
            }
            catch (MalformedRecordException e) when (_options.SkipMalformedRows)
            {
                skipped++;
                _context.WriteLog($"skipped malformed row: {e.Message}", LogKind.Warning);
                if (e.Reason.StartsWith("a quoted field is not closed", StringComparison.Ordinal))
                {
                    break;
                }
                continue;
            }
            yield return new DataViewRow(schema, position++, values);
        }
        SkippedRows = skipped;
        if (skipped > 0)
        {
            _context.WriteLog($"{path}: {skipped} malformed row(s) skipped, {position} loaded", LogKind.Warning);
        }
    }

    private int[] ResolveIndices(string path, DelimitedRecordReader reader)
    {
        List<string>? header = _options.HasHeader ? reader.Read() : null;
        if (_options.HasHeader && header is null)
        {
            throw new MalformedRecordException(path, 1, "the file is empty, but a header was expected");
        }
        return _options.Columns.Select(c =>
        {
            if (c.Index is int index)
            {
                return index >= 0 ? index : throw new ArgumentException($"Column '{c.Name}' has a negative index {index}.");
            }
            int found = header!.IndexOf(c.SourceName!);
            return found >= 0 ? found : throw new ArgumentException(
                $"Column '{c.SourceName}' is not in the header of {path}. The header has: {string.Join(", ", header)}.");
        }).ToArray();
    }

    private static object? Convert(string path, long line, Column column, string field)
    {
        if (column.Type is TextDataViewType)
        {
            return field;
        }
        var inv = CultureInfo.InvariantCulture;
        bool ok;
        object? value;
        switch (Type.GetTypeCode(column.Type.RawType))
        {
            case TypeCode.Single: ok = float.TryParse(field, NumberStyles.Float, inv, out var f); value = f; break;
            case TypeCode.Double: ok = double.TryParse(field, NumberStyles.Float, inv, out var d); value = d; break;
            case TypeCode.Int32: ok = int.TryParse(field, NumberStyles.Integer, inv, out var i); value = i; break;
            case TypeCode.Int64: ok = long.TryParse(field, NumberStyles.Integer, inv, out var l); value = l; break;
            case TypeCode.UInt32: ok = uint.TryParse(field, NumberStyles.Integer, inv, out var u); value = u; break;
            case TypeCode.Boolean: ok = bool.TryParse(field, out var b); value = b; break;
            default: throw new InvalidOperationException($"unsupported column type {column.Type}");
        }
        return ok ? value : throw new MalformedRecordException(path, line,
            $"column '{column.Name}' expects {column.Type}, got \"{Truncate(field)}\"");
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private sealed class FileDataView(TextLoader loader, string path, DataViewSchema schema) : IDataView
    {
        public DataViewSchema Schema { get; } = schema;
        public long? GetRowCount() => null;
        public IEnumerable<DataViewRow> GetRows() => loader.ReadRows(path, Schema);
    }
}
