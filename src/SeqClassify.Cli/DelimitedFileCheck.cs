using System.Text;

namespace SeqClassify.Cli;

/// <summary>
/// One pass over a CSV/TSV file before ML.NET's TextLoader reads it, to say by file and line what
/// TextLoader would not: a record with fewer fields than the columns read (TextLoader fills them with
/// empty values), a quoted field never closed (TextLoader fails without naming the line), and a data
/// line that starts with "//" (TextLoader skips it as a comment, so the row would be lost). It reads
/// records by TextLoader's rules: blank lines are skipped, and before the first record so are lines
/// starting with '#' or "//"; with quoting, a field that starts with '"' runs to the closing quote
/// ("" inside it is a quote), across lines.
/// </summary>
internal static class DelimitedFileCheck
{
    /// <summary>The header's column names: the first record's fields (TextLoader reads columns by index only).</summary>
    public static string[] Header(string path, char separator, bool quoting) =>
        Records(path, separator, quoting).Select(r => r.Fields).FirstOrDefault()
        ?? throw new InvalidDataException($"'{path}' has no header row");

    /// <summary>
    /// Refuses, naming the line, a data record with fewer than <paramref name="fieldsRead"/> fields,
    /// or with more fields than the header (or, without one, the first record): TextLoader would
    /// silently drop the extra ones, which usually means a separator inside an unquoted text.
    /// </summary>
    public static void Check(string path, char separator, bool quoting, bool header, int fieldsRead)
    {
        CheckUtf8(path);
        int? expected = null;
        bool first = true;
        foreach (var (line, fields) in Records(path, separator, quoting))
        {
            expected ??= fields.Length;
            if (first && header)
            {
                first = false;
                continue;
            }
            first = false;
            if (fields.Length < fieldsRead)
            {
                throw new InvalidDataException($"{path}:{line}: {fields.Length} field(s), but column {fieldsRead - 1} (0-based) is read: expected at least {fieldsRead}");
            }
            if (fields.Length > expected)
            {
                throw new InvalidDataException($"{path}:{line}: {fields.Length} fields, but the {(header ? "header" : "first row")} has {expected}: " +
                    (quoting ? "quote a field that contains the separator" : "a text contains the separator; use a quoted CSV") + " so that no field is lost");
            }
        }
    }

    /// <summary>The file's records with the line each starts on, by TextLoader's rules; a data line starting with "//" is refused.</summary>
    private static IEnumerable<(long Line, string[] Fields)> Records(string path, char separator, bool quoting)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        long lineNumber = 0;
        bool first = true;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            long start = lineNumber;
            if (line.Length == 0 || (first && line[0] == '#'))
            {
                continue;
            }
            if (line.StartsWith("//", StringComparison.Ordinal))
            {
                if (first) continue;
                throw new InvalidDataException($"{path}:{start}: the row starts with \"//\", which ML.NET's TextLoader skips as a comment; " +
                    (quoting ? "quote that field" : "put another column first") + " so that the row is read");
            }
            first = false;
            yield return (start, quoting ? QuotedFields(reader, line, separator, path, start, ref lineNumber) : line.Split(separator));
        }
    }

    /// <summary>The fields of one record that begins with <paramref name="line"/>, reading further lines while a quoted field is open.</summary>
    private static string[] QuotedFields(TextReader reader, string line, char separator, string path, long start, ref long lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, atFieldStart = true;
        for (int i = 0; ; i++)
        {
            if (i == line.Length)
            {
                if (!quoted) break;
                line = reader.ReadLine() ?? throw new InvalidDataException($"{path}:{start}: a quoted field opened on this line is never closed");
                lineNumber++;
                field.Append('\n');
                i = -1;
                continue;
            }
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') field.Append(line[++i]);
                else quoted = false;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
                atFieldStart = true;
                continue;
            }
            else if (c == '"' && atFieldStart)
            {
                quoted = true;
            }
            else
            {
                field.Append(c);
            }
            atFieldStart = false;
        }
        fields.Add(field.ToString());
        return [.. fields];
    }

    /// <summary>
    /// Refuses bytes that are not UTF-8, naming the line and the byte: readers would otherwise
    /// replace them with U+FFFD (and train on a token that is not in the text) or fail later with no
    /// file or line. Reads the file in blocks; a line split between blocks is checked whole.
    /// </summary>
    private static void CheckUtf8(string path)
    {
        using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int kept = 0;  // bytes of an unfinished line at the start of buffer
        long line = 1;
        while (true)
        {
            if (kept == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);  // a line longer than the buffer
            int read = file.Read(buffer, kept, buffer.Length - kept);
            int length = kept + read;
            int start = 0;
            for (int end; (end = Array.IndexOf(buffer, (byte)'\n', start, length - start)) >= 0; start = end + 1, line++)
            {
                CheckLine(path, line, buffer.AsSpan(start, end - start));
            }
            if (read == 0)
            {
                CheckLine(path, line, buffer.AsSpan(start, length - start));
                return;
            }
            kept = length - start;
            Array.Copy(buffer, start, buffer, 0, kept);
        }
    }

    private static void CheckLine(string path, long line, ReadOnlySpan<byte> text)
    {
        if (System.Text.Unicode.Utf8.IsValid(text)) return;
        for (int offset = 0; offset < text.Length;)
        {
            if (System.Text.Rune.DecodeFromUtf8(text[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                throw new InvalidDataException($"{path}:{line}: byte 0x{text[offset]:X2} (byte {offset + 1} of the line) is not UTF-8: save the file as UTF-8");
            }
            offset += consumed;
        }
    }
}
