using System.Text.Json.Nodes;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Output;

/// <summary>
/// One prediction as JSON, the same for `predict` and `serve` (each a caller, neither the other's), by task:
/// "label", the most probable class, and "top", the k most probable with their probabilities; a multi-label
/// model's "labels", those at or above their thresholds, and "top" as a classifier's; a regression's "score".
/// </summary>
internal static class PredictionJson
{
    /// <summary>Adds the prediction of <paramref name="model"/> from its <paramref name="score"/> to <paramref name="line"/> (probabilities to 6 places).</summary>
    public static JsonObject Add(JsonObject line, float[] score, SequenceClassificationTransformer model, int topK)
    {
        if (model.ModelOptions.Task == SequenceTask.Regression)
        {
            line["score"] = Math.Round(score[0], 6);
            return line;
        }
        var labels = model.LabelNames;
        if (model.ModelOptions.Task == SequenceTask.MultiLabel)
        {
            line["labels"] = new JsonArray(Enumerable.Range(0, labels.Count).Where(i => score[i] >= model.Thresholds[i]).Select(i => (JsonNode?)labels[i]).ToArray());
            line["top"] = Top(score, labels, topK);
            return line;
        }
        line["label"] = labels[Array.IndexOf(score, score.Max())];
        line["top"] = Top(score, labels, topK);
        return line;
    }

    // The k most probable, ties in label order.
    private static JsonArray Top(float[] score, IReadOnlyList<string> labels, int topK) => new(
        score.Select((p, i) => (p, i)).OrderByDescending(x => x.p).ThenBy(x => x.i).Take(topK)
            .Select(x => (JsonNode?)new JsonObject { ["label"] = labels[x.i], ["probability"] = Math.Round(x.p, 6) }).ToArray());
}
