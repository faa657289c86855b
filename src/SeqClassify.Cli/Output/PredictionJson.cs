using System.Text.Json.Nodes;

namespace SeqClassify.Cli.Output;

/// <summary>
/// One prediction as JSON, the same for `predict` and `serve` (each a caller, neither the other's):
/// "label", the most probable class, and "top", the k most probable with their probabilities; or a
/// regression's "score".
/// </summary>
internal static class PredictionJson
{
    /// <summary>
    /// Adds "label" and "top" to <paramref name="line"/> (ties in class order; probabilities to 6 places); for a
    /// regression, which names no class (<paramref name="labels"/> empty), "score", its one output.
    /// </summary>
    public static JsonObject Add(JsonObject line, float[] score, IReadOnlyList<string> labels, int topK)
    {
        if (labels.Count == 0)
        {
            line["score"] = Math.Round(score[0], 6);
            return line;
        }
        var top = score.Select((p, i) => (p, i)).OrderByDescending(x => x.p).ThenBy(x => x.i).Take(topK).ToList();
        line["label"] = labels[top[0].i];
        line["top"] = new JsonArray(top.Select(x => (JsonNode?)new JsonObject { ["label"] = labels[x.i], ["probability"] = Math.Round(x.p, 6) }).ToArray());
        return line;
    }
}
