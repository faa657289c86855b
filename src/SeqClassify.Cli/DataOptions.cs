using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.Cli;

/// <summary>The options every command that reads a data file shares, and the loading they drive.</summary>
internal sealed class DataOptions
{
    public Option<string> Format { get; } = new("--format")
    {
        Description = "csv or tsv; by default from the file extension (.tsv and .txt are tsv). TSV is read without quoting, as the reference does.",
    };

    public Option<bool> NoHeader { get; } = new("--no-header") { Description = "The file has no header row: give columns by 0-based index." };

    public Option<string[]> TextColumn { get; } = new("--text-column")
    {
        Description = "Text column, by header name or 0-based index; repeat it to join several columns with a space.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> LabelColumn { get; } = new("--label-column") { Description = "Label column, by header name or 0-based index." };

    public Option<string> LabelSeparator { get; } = new("--label-separator")
    {
        Description = "A multi-label model's file: the character between a row's labels in the label column (default ','; empty: none of them).",
    };

    /// <summary>The separator of a multi-label file's label lists.</summary>
    public char Separator(ParseResult parse) => LabelSets.Separator(parse.GetValue(LabelSeparator));

    public Option<string> PairColumn { get; } = new("--pair-column")
    {
        Description = "With a pretrained model: a second text column, by header name or 0-based index; each row is then a sentence pair ([CLS] text [SEP] pair [SEP]).",
    };

    /// <summary>Whether rows are sentence pairs (--pair-column given).</summary>
    public bool Pairs(ParseResult parse) => parse.GetValue(PairColumn) is not null;

    public void AddTo(Command command, bool withLabel, bool textRequired = true, bool withPair = false)
    {
        if (withPair) command.Options.Add(PairColumn);
        TextColumn.Required = textRequired;
        command.Options.Add(Format);
        command.Options.Add(NoHeader);
        command.Options.Add(TextColumn);
        if (withLabel)
        {
            LabelColumn.Required = true;
            command.Options.Add(LabelColumn);
            command.Options.Add(LabelSeparator);
        }
    }

    /// <summary>
    /// Loads a file with ML.NET's TextLoader (CSV with RFC 4180 quoting and multi-line fields, or TSV;
    /// columns by header name or 0-based index) as the two columns every SeqClassify CLI model reads:
    /// Text (the text columns joined with a space) and Label (empty when not asked for).
    /// </summary>
    public IDataView Load(MLContext ml, ParseResult parse, string path, bool withLabel)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"data file '{path}' does not exist", path);
        }
        // Read twice (checked, then loaded) and measured: a device or a FIFO is neither ("/dev/zero" once ran 2 GB in).
        if (FileKind.Of(path) != FileKind.Kind.Regular)
        {
            throw new UsageException($"data file '{path}' is {FileKind.Describe(path)}: give a CSV or TSV file");
        }
        bool header = !parse.GetValue(NoHeader);
        char separator = SeparatorFor(parse.GetValue(Format), path);
        string[] texts = parse.GetValue(TextColumn) ?? [];
        if (texts.Length == 0)
        {
            throw new UsageException($"--text-column is needed to read '{path}'");
        }
        // TSV is read without quoting, as the reference reads it; CSV quotes may hold separators and newlines.
        bool quoting = separator == ',';
        string[]? headerNames = header ? DelimitedFileCheck.Header(path, separator, quoting) : null;
        var columns = texts.Select((spec, i) => new TextLoader.Column($"Text{i}", DataKind.String, IndexOf(spec, headerNames, path))).ToList();
        if (withLabel)
        {
            columns.Add(new TextLoader.Column("Label", DataKind.String, IndexOf(parse.GetValue(LabelColumn)!, headerNames, path)));
        }
        string? pair = parse.GetValue(PairColumn);
        if (pair is not null) columns.Add(new TextLoader.Column("Pair", DataKind.String, IndexOf(pair, headerNames, path)));
        if (withLabel) RefuseLabelAsInput(columns, texts, pair);
        // Options first (a wrong column name is a usage error), then the rows' shape.
        DelimitedFileCheck.Check(path, separator, quoting, header, fieldsRead: columns.Max(c => c.Source[0].Min) + 1);
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [.. columns],
            Separators = [separator],
            HasHeader = header,
            AllowQuoting = quoting,
            ReadMultilines = quoting,
            TrimWhitespace = false,
        });
        var view = loader.Load(path);
        var rows = ReadRows(view, texts.Length, withLabel, pair is not null);
        if (rows.Count == 0)
        {
            throw new InvalidDataException($"{path}: the file has no data rows{(header ? " after its header" : "")}");
        }
        // Pairs are their own schema (Label, Text, Pair), so that a single-text model's input stays Label, Text.
        return pair is null
            ? ml.Data.LoadFromEnumerable(rows.Select(r => new CliRow { Label = r.Label, Text = r.Text }).ToList())
            : ml.Data.LoadFromEnumerable(rows.Select(r => new CliPairRow { Label = r.Label, Text = r.Text, Pair = r.Pair! }).ToList());
    }

    /// <summary>Rows in memory: epochs shuffle them, and evaluation reads them twice.</summary>
    private static List<(string Label, string Text, string? Pair)> ReadRows(IDataView view, int textColumns, bool withLabel, bool withPair)
    {
        var rows = new List<(string Label, string Text, string? Pair)>();
        var textCols = Enumerable.Range(0, textColumns).Select(i => view.Schema[$"Text{i}"]).ToArray();
        var needed = textCols.Concat(withLabel ? [view.Schema["Label"]] : []).Concat(withPair ? [view.Schema["Pair"]] : []);
        using var cursor = view.GetRowCursor(needed);
        var textGetters = textCols.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
        var labelGetter = withLabel ? cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Label"]) : null;
        var pairGetter = withPair ? cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Pair"]) : null;
        var parts = new string[textColumns];
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            for (int i = 0; i < textColumns; i++)
            {
                textGetters[i](ref value);
                parts[i] = value.ToString();
            }
            string label = "";
            if (labelGetter is not null)
            {
                labelGetter(ref value);
                label = value.ToString();
            }
            string? pair = null;
            if (pairGetter is not null)
            {
                pairGetter(ref value);
                pair = value.ToString();
            }
            rows.Add((label, textColumns == 1 ? parts[0] : string.Join(' ', parts), pair));
        }
        return rows;
    }

    // A model that reads its label among its inputs learns to copy it: every metric perfect, nothing learnt.
    private void RefuseLabelAsInput(List<TextLoader.Column> columns, string[] texts, string? pair)
    {
        int label = columns.Single(c => c.Name == "Label").Source[0].Min;
        for (int i = 0; i < texts.Length; i++)
        {
            if (columns[i].Source[0].Min == label)
            {
                throw new UsageException($"--text-column '{texts[i]}' is the --label-column: the model would read the answer in its input; give another column");
            }
        }
        if (pair is not null && columns.Single(c => c.Name == "Pair").Source[0].Min == label)
        {
            throw new UsageException($"--pair-column '{pair}' is the --label-column: the model would read the answer in its input; give another column");
        }
    }

    public static char SeparatorFor(string? format, string path) => (format?.ToLowerInvariant()) switch
    {
        "csv" => ',',
        "tsv" => '\t',
        null or "" => Path.GetExtension(path).ToLowerInvariant() is ".tsv" or ".txt" || Path.GetFileName(path) == "SMSSpamCollection" ? '\t' : ',',
        _ => throw new UsageException($"--format must be csv or tsv, got '{format}'"),
    };

    private static int IndexOf(string spec, string[]? header, string path)
    {
        if (int.TryParse(spec, out int index))
        {
            return index >= 0 ? index : throw new UsageException($"column index {index} is negative");
        }
        if (header is null)
        {
            throw new UsageException($"column '{spec}' must be a 0-based index when the file has no header (--no-header)");
        }
        int found = Array.IndexOf(header, spec);
        return found >= 0 ? found
            : throw new UsageException($"column '{spec}' is not in the header of '{path}' (columns: {string.Join(", ", header)})");
    }
}

/// <summary>The schema every CLI model is trained and scored on.</summary>
public sealed class CliRow
{
    /// <summary>The class, as written in the file; empty when predicting.</summary>
    public string Label { get; set; } = "";

    /// <summary>The text (several text columns joined with a space).</summary>
    public string Text { get; set; } = "";
}

/// <summary>The schema of a CLI model that reads sentence pairs (--pair-column).</summary>
public sealed class CliPairRow
{
    /// <summary>The class, as written in the file.</summary>
    public string Label { get; set; } = "";

    /// <summary>The pair's first text.</summary>
    public string Text { get; set; } = "";

    /// <summary>The pair's second text.</summary>
    public string Pair { get; set; } = "";
}
