using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.Bench;

/// <summary>A dataset of ../shared/datasets as the references read it: train and test files, format, columns.</summary>
internal sealed record BenchDataset(string Name, string Train, string Test, string Format, string TextColumn, string LabelColumn)
{
    public static BenchDataset Get(string name, string datasets) => name switch
    {
        "imdb" => new("imdb", Path.Combine(datasets, "imdb/train.csv"), Path.Combine(datasets, "imdb/test.csv"), "csv", "text", "label"),
        "sst2" => new("sst2", Path.Combine(datasets, "sst2/train.tsv"), Path.Combine(datasets, "sst2/test.tsv"), "tsv", "sentence", "label"),
        "agnews" => AgNewsSplit(datasets),
        _ => throw new ArgumentException($"unknown dataset '{name}' (imdb, sst2 or agnews)"),
    };

    /// <summary>Label and Text columns, read as the reference reads them (header names; TSV unquoted; agnews: title + " " + description).</summary>
    public IDataView Load(MLContext ml, string path)
    {
        char separator = Format == "tsv" ? '\t' : ',';
        int[] label, text;
        if (Format == "agnews")
        {
            (label, text) = ([0], [1, 2]);
        }
        else
        {
            string[] header = File.ReadLines(path).First().Split(separator);
            (label, text) = ([Array.IndexOf(header, LabelColumn)], [Array.IndexOf(header, TextColumn)]);
        }
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [new TextLoader.Column("Label", DataKind.String, label[0]), .. text.Select((index, i) => new TextLoader.Column($"Text{i}", DataKind.String, index))],
            Separators = [separator], HasHeader = Format != "agnews", AllowQuoting = Format != "tsv", ReadMultilines = Format == "csv",
        });
        var view = loader.Load(path);
        var rows = new List<Row>();
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var getLabel = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Label"]);
            var getTexts = text.Select((_, i) => cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[$"Text{i}"])).ToArray();
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                getLabel(ref value);
                string labelText = value.ToString();
                rows.Add(new Row
                {
                    Label = labelText,
                    Text = string.Join(' ', getTexts.Select(get => { get(ref value); return value.ToString(); })),
                });
            }
        }
        return ml.Data.LoadFromEnumerable(rows);
    }

    /// <summary>One labelled text.</summary>
    public sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    /// <summary>
    /// AG News here is its official test split only (7,600 rows): a stratified 80/20 split of it
    /// (seed 1), written in the original CSV layout so that every implementation reads the same
    /// rows. The files go to bench/results/tmp and are rewritten identically on each run.
    /// </summary>
    private static BenchDataset AgNewsSplit(string datasets)
    {
        string source = Path.Combine(datasets, "ag_news/test.csv");
        string folder = Path.GetFullPath(Path.Combine("bench", "results", "tmp"));
        Directory.CreateDirectory(folder);
        var lines = File.ReadAllLines(source, Encoding.UTF8);
        // Each line is one record (no quoted newlines in this file); its class is the first field.
        var byClass = lines.Select((line, index) => (line, index)).GroupBy(x => x.line[..x.line.IndexOf(',')]).OrderBy(g => g.Key);
        var random = new Random(1);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in byClass)
        {
            var rows = group.Select(x => x.index).ToArray();
            random.Shuffle(rows);
            int testCount = rows.Length / 5;
            test.AddRange(rows[..testCount]);
            train.AddRange(rows[testCount..]);
        }
        string trainPath = Path.Combine(folder, "agnews-train.csv"), testPath = Path.Combine(folder, "agnews-test.csv");
        File.WriteAllLines(trainPath, train.Order().Select(i => lines[i]));
        File.WriteAllLines(testPath, test.Order().Select(i => lines[i]));
        return new("agnews", trainPath, testPath, "agnews", "", "");
    }
}
