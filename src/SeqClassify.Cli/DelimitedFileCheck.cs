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
}
