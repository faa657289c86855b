using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.Cli;

/// <summary>
/// A multi-label file's labels: each row's label column lists its labels with a separator ("joy,love"; empty:
/// none of them). Read as the model reads them (split, trimmed, each once), and checked against the model's.
/// </summary>
internal static class LabelSets
{
    /// <summary>--label-separator: one character, not a space or a quote (which the file's own format uses).</summary>
    public static char Separator(string? given)
    {
        string value = given ?? ",";
        if (value.Length != 1 || char.IsWhiteSpace(value[0]) || value[0] == '"')
        {
            throw new UsageException($"--label-separator must be one character that is not a space or a quote, got '{value}'");
        }
        return value[0];
    }

    public static string[] Split(string? labels, char separator) =>
        (labels ?? "").Split(separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The rows with each label list rewritten as the model reads it: "joy , love,joy" becomes "joy,love".</summary>
    public static IDataView Normalize(MLContext ml, IDataView data, char separator)
    {
        string Clean(string? labels) => string.Join(separator, Split(labels, separator));
        var labels = data.GetColumn<string>("Label").Select(Clean).ToList();
        var texts = data.GetColumn<string>("Text").ToList();
        if (data.Schema.GetColumnOrNull("Pair") is null)
        {
            return ml.Data.LoadFromEnumerable(labels.Zip(texts, (l, t) => new CliRow { Label = l, Text = t }).ToList());
        }
        var pairs = data.GetColumn<string>("Pair").ToList();
        return ml.Data.LoadFromEnumerable(labels.Select((l, i) => new CliPairRow { Label = l, Text = texts[i], Pair = pairs[i] }).ToList());
    }

    /// <summary>
    /// Labels the model does not know cannot be predicted: counted and named in a warning (the metrics leave them
    /// out, as ML.NET's evaluators leave out unknown labels); refused when no row has a label it knows.
    /// </summary>
    public static void CheckKnown(IDataView data, IReadOnlyList<string> known, char separator, string path, TextWriter warnings)
    {
        var knownSet = known.ToHashSet(StringComparer.Ordinal);
        var rows = data.GetColumn<string>("Label").Select(l => Split(l, separator)).ToList();
        var unknown = rows.SelectMany(r => r).Where(l => !knownSet.Contains(l)).ToList();
        if (unknown.Count == 0) return;
        string first = string.Join(", ", unknown.Distinct().Take(5).Select(l => $"'{l}'"));
        if (rows.All(r => r.All(l => !knownSet.Contains(l))) && rows.Any(r => r.Length > 0))
        {
            throw new InvalidDataException($"{path}: none of its rows has a label the model knows (the file's: {first}; the model's: {string.Join(", ", known.Take(10))}); " +
                "is --label-column right, and --label-separator?");
        }
        lock (warnings) warnings.WriteLine($"warning: {path}: {unknown.Count:N0} labels of its rows are not the model's ({first}): they are left out of the metrics");
    }
}
