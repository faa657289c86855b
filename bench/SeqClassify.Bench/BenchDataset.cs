using System.Text;
using SeqClassify.MLNet;
using SeqClassify.MLNet.Data;

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
        if (Format == "agnews")
        {
            var raw = ml.Data.LoadFromTextFile(path,
                [new TextLoader.Column("Label", TextDataViewType.Instance, 0), new TextLoader.Column("Title", TextDataViewType.Instance, 1),
                 new TextLoader.Column("Description", TextDataViewType.Instance, 2)]);
            var schema = new DataViewSchema([("Label", TextDataViewType.Instance, null), ("Text", TextDataViewType.Instance, null)]);
            return new InMemoryDataView(schema, raw.GetRows().Select(r => new object?[] { r.Values[0], $"{r.Values[1]} {r.Values[2]}" }).ToList());
        }
        return ml.Data.LoadFromTextFile(path,
            [new TextLoader.Column("Label", TextDataViewType.Instance, SourceName: LabelColumn), new TextLoader.Column("Text", TextDataViewType.Instance, SourceName: TextColumn)],
            separatorChar: Format == "tsv" ? '\t' : ',', hasHeader: true, allowQuoting: Format != "tsv");
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
