using System.Text.Json.Nodes;
using SeqClassify.MLNet;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Training;

namespace SeqClassify.Cli;

/// <summary>A model .zip as the commands use it: the chain, its classifier step and its manifest.</summary>
internal sealed record LoadedModel(ITransformer Chain, SequenceClassificationTransformer Classifier, JsonObject Manifest)
{
    private static readonly DataViewSchema TextSchema = new([("Text", TextDataViewType.Instance, null)]);

    /// <summary>Class probabilities for each text, in order (the chain scores them together).</summary>
    public IEnumerable<float[]> Score(IReadOnlyList<string> texts)
    {
        var view = new InMemoryDataView(TextSchema, texts.Select(t => new object?[] { t }).ToList());
        return Chain.Transform(view).GetRows().Select(row => row.GetValue<float[]>(Classifier.ScoreColumnName));
    }

    public static LoadedModel Load(MLContext ml, string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file '{path}' does not exist", path);
        }
        var chain = ml.Model.Load(path, out var inputSchema);
        if (inputSchema.GetColumnOrNull("Text") is null)
        {
            throw new InvalidDataException($"model '{path}' does not read a 'Text' column (its input is {inputSchema}); the CLI serves text models");
        }
        var classifier = ((IEnumerable<ITransformer>)chain).OfType<SequenceClassificationTransformer>().SingleOrDefault()
            ?? throw new InvalidDataException($"model '{path}' has no RNN classifier step");
        return new LoadedModel(chain, classifier, ml.Model.ReadManifest(path));
    }
}
