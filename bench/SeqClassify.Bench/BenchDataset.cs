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
        _ => throw new ArgumentException($"unknown dataset '{name}' (imdb or sst2)"),
    };

    /// <summary>Label and Text columns, read as the reference reads them (header names; TSV unquoted).</summary>
    public IDataView Load(MLContext ml, string path) => ml.Data.LoadFromTextFile(path,
        [new TextLoader.Column("Label", TextDataViewType.Instance, SourceName: LabelColumn), new TextLoader.Column("Text", TextDataViewType.Instance, SourceName: TextColumn)],
        separatorChar: Format == "tsv" ? '\t' : ',', hasHeader: true, allowQuoting: Format != "tsv");
}
