using System.CommandLine;
using SeqClassify.MLNet;
using SeqClassify.MLNet.Data;

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

    public void AddTo(Command command, bool withLabel, bool textRequired = true)
    {
        TextColumn.Required = textRequired;
        command.Options.Add(Format);
        command.Options.Add(NoHeader);
        command.Options.Add(TextColumn);
        if (withLabel)
        {
            LabelColumn.Required = true;
            command.Options.Add(LabelColumn);
        }
    }

    /// <summary>
    /// Loads a file as the two columns every SeqClassify CLI model reads: Text (the text columns
    /// joined) and, when asked for, Label.
    /// </summary>
    public IDataView Load(MLContext ml, ParseResult parse, string path, bool withLabel)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"data file '{path}' does not exist", path);
        }
        bool header = !parse.GetValue(NoHeader);
        char separator = SeparatorFor(parse.GetValue(Format), path);
        string[] texts = parse.GetValue(TextColumn) ?? [];
        if (texts.Length == 0)
        {
            throw new UsageException($"--text-column is needed to read '{path}'");
        }
        var columns = texts.Select((spec, i) => Column($"Text{i}", spec, header)).ToList();
        if (withLabel)
        {
            columns.Add(Column("Label", parse.GetValue(LabelColumn)!, header));
        }
        var loaded = ml.Data.LoadFromTextFile(path, columns, separator, header, allowQuoting: separator == ',');
        return new JoinedTextView(loaded, texts.Length, withLabel);
    }

    public static char SeparatorFor(string? format, string path) => (format?.ToLowerInvariant()) switch
    {
        "csv" => ',',
        "tsv" => '\t',
        null or "" => Path.GetExtension(path).ToLowerInvariant() is ".tsv" or ".txt" || Path.GetFileName(path) == "SMSSpamCollection" ? '\t' : ',',
        _ => throw new UsageException($"--format must be csv or tsv, got '{format}'"),
    };

    private static TextLoader.Column Column(string name, string spec, bool header)
    {
        if (int.TryParse(spec, out int index))
        {
            return index >= 0
                ? new TextLoader.Column(name, TextDataViewType.Instance, Index: index)
                : throw new UsageException($"column index {index} is negative");
        }
        if (!header)
        {
            throw new UsageException($"column '{spec}' must be a 0-based index when the file has no header (--no-header)");
        }
        return new TextLoader.Column(name, TextDataViewType.Instance, SourceName: spec);
    }

    /// <summary>Joins Text0..TextN into Text and keeps Label: the schema CLI models are trained on.</summary>
    private sealed class JoinedTextView(IDataView source, int texts, bool withLabel) : IDataView
    {
        public DataViewSchema Schema { get; } = new(withLabel
            ? [("Label", TextDataViewType.Instance, null), ("Text", TextDataViewType.Instance, null)]
            : [("Text", TextDataViewType.Instance, null)]);

        public long? GetRowCount() => source.GetRowCount();

        public IEnumerable<DataViewRow> GetRows()
        {
            foreach (var row in source.GetRows())
            {
                string text = texts == 1 ? (string)row.Values[0]! : string.Join(' ', row.Values.Take(texts));
                yield return new DataViewRow(Schema, row.Position, withLabel ? [row.Values[texts], text] : [text]);
            }
        }
    }
}
