using System.Text;

namespace SeqClassify.MLNet.Data;

/// <summary>A malformed record: where it starts and what is wrong.</summary>
public sealed class MalformedRecordException(string path, long line, string reason)
    : FormatException($"{path}:{line}: {reason}")
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;
    /// <summary>1-based line where the record starts.</summary>
    public long Line { get; } = line;
    /// <summary>What is wrong.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Reads delimited records (CSV/TSV) one at a time from a stream: RFC 4180 quoting with doubled
/// quotes and quoted newlines when quoting is on, LF or CRLF line ends, UTF-8 with or without BOM.
/// </summary>
internal sealed class DelimitedRecordReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly char _separator;
    private readonly bool _quoting;
    private readonly string _path;
    private readonly StringBuilder _field = new();
    private long _line = 1;

    public DelimitedRecordReader(string path, char separator, bool quoting)
    {
        _path = path;
        _separator = separator;
        _quoting = quoting;
        // detectEncodingFromByteOrderMarks: a UTF-8 BOM is skipped, not read as text.
        _reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), true, 1 << 16);
    }

    /// <summary>The 1-based line where the last record returned by <see cref="Read"/> started.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The next record's fields, or null at the end. A blank line is a record of one empty field.</summary>
    public List<string>? Read()
    {
        int c = _reader.Peek();
        if (c < 0)
        {
            return null;
        }
        RecordLine = _line;
        var fields = new List<string>();
        _field.Clear();
        bool inQuotes = false;
        bool wasQuoted = false;
        while (true)
        {
            c = _reader.Read();
            if (c < 0)
            {
                if (inQuotes)
                {
                    throw new MalformedRecordException(_path, RecordLine, "a quoted field is not closed before the end of the file");
                }
                fields.Add(_field.ToString());
                return fields;
            }
            char ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (_reader.Peek() == '"')
                    {
                        _reader.Read();
                        _field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (ch == '\n') _line++;
                    _field.Append(ch);
                }
                continue;
            }
            if (ch == _separator)
            {
                fields.Add(_field.ToString());
                _field.Clear();
                wasQuoted = false;
            }
            else if (ch == '\n' || ch == '\r')
            {
                if (ch == '\r' && _reader.Peek() == '\n') _reader.Read();
                _line++;
                fields.Add(_field.ToString());
                return fields;
            }
            else if (ch == '"' && _quoting && _field.Length == 0 && !wasQuoted)
            {
                inQuotes = true;
                wasQuoted = true;
            }
            else if (wasQuoted)
            {
                // Leave the reader at the next record, so that a caller who skips can go on.
                SkipToLineEnd();
                throw new MalformedRecordException(_path, RecordLine,
                    $"field {fields.Count} has text after its closing quote ('{ch}')");
            }
            else
            {
                _field.Append(ch);
            }
        }
    }

    /// <summary>Skips past the rest of a malformed record's line, so that reading can go on.</summary>
    public void SkipToLineEnd()
    {
        int c;
        while ((c = _reader.Read()) >= 0 && c != '\n') { }
        _line++;
    }

    public void Dispose() => _reader.Dispose();
}
