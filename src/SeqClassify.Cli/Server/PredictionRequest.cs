using System.Text.Json.Nodes;

namespace SeqClassify.Cli.Server;

/// <summary>
/// What one POST /predict asks for: {"text": "..."} or {"texts": ["...", ...]}, and for a model that
/// reads sentence pairs {"text": "...", "pair": "..."} or {"texts": [...], "pairs": [...]} (one pair
/// per text). A body that asks otherwise has a <see cref="Problem"/>, the 400 answer's message; nothing
/// in a body is ignored (a pair for a single-text model, both "text" and "texts").
/// </summary>
internal sealed record PredictionRequest(List<string> Texts, List<string>? Pairs, bool Single, string? Problem)
{
    public static PredictionRequest Read(JsonNode? body, ServerLimits limits, bool readsPairs)
    {
        if (body is not JsonObject obj)
        {
            return Refused(false, readsPairs ? "expected a JSON object: {\"text\": \"...\", \"pair\": \"...\"} or {\"texts\": [\"...\", ...], \"pairs\": [\"...\", ...]}"
                : "expected a JSON object: {\"text\": \"...\"} or {\"texts\": [\"...\", ...]}");
        }
        var (texts, single, problem) = ReadStrings(obj, "text", "texts");
        if (problem is not null) return Refused(single, problem);
        List<string>? pairs = null;
        bool hasPairs = obj.ContainsKey("pair") || obj.ContainsKey("pairs");
        if (hasPairs && !readsPairs) return Refused(single, "this model reads single texts: \"pair\" and \"pairs\" do not apply");
        if (readsPairs)
        {
            if (!hasPairs)
            {
                return Refused(single, single ? "this model reads sentence pairs: give \"pair\" beside \"text\""
                    : "this model reads sentence pairs: give \"pairs\" beside \"texts\", one per text");
            }
            (pairs, bool pairSingle, problem) = ReadStrings(obj, "pair", "pairs");
            if (problem is not null) return Refused(single, problem);
            if (pairSingle != single) return Refused(single, "give \"text\" with \"pair\", or \"texts\" with \"pairs\"");
            if (pairs.Count != texts.Count) return Refused(single, $"{texts.Count} texts and {pairs.Count} pairs: give one pair per text");
        }
        if (texts.Count > limits.MaxTexts) return Refused(single, $"{texts.Count} texts in one request; at most {limits.MaxTexts}");
        foreach (var (strings, what) in new[] { (texts, "text"), (pairs ?? [], "pair") })
        {
            int tooLong = strings.FindIndex(t => t.Length > limits.MaxTextLength);
            if (tooLong >= 0) return Refused(single, $"{what} {tooLong} has {strings[tooLong].Length} characters; at most {limits.MaxTextLength}");
        }
        return new PredictionRequest(texts, pairs, single, null);
    }

    private static PredictionRequest Refused(bool single, string problem) => new([], null, single, problem);

    /// <summary>One string under <paramref name="one"/>, or a non-empty array of strings under <paramref name="many"/>, not both.</summary>
    private static (List<string> Values, bool Single, string? Problem) ReadStrings(JsonObject obj, string one, string many)
    {
        bool single = obj.ContainsKey(one);
        // Both would answer one and silently drop the other.
        if (single && obj.ContainsKey(many)) return ([], true, $"give \"{one}\" or \"{many}\", not both");
        if (single)
        {
            if (obj[one] is not JsonValue v || !v.TryGetValue(out string? value)) return ([], true, $"\"{one}\" must be a string");
            return ([value], true, null);
        }
        if (obj[many] is not JsonArray array) return ([], false, $"expected \"{one}\" (a string) or \"{many}\" (an array of strings)");
        var values = new List<string>();
        foreach (var item in array)
        {
            if (item is not JsonValue v || !v.TryGetValue(out string? value)) return ([], false, $"\"{many}\"[{values.Count}] must be a string");
            values.Add(value);
        }
        return values.Count == 0 ? ([], false, $"\"{many}\" is empty") : (values, false, null);
    }
}
