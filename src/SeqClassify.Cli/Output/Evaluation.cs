using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.Cli.Output;

/// <summary>
/// ML.NET's multiclass metrics with what the CLI prints beside them: class names, per-class F1 and
/// support, macro-F1, and for two classes the AUC from ML.NET's binary evaluator.
/// </summary>
internal sealed class Evaluation
{
    private Evaluation(MulticlassClassificationMetrics metrics, IReadOnlyList<string> classNames, double? auc)
    {
        Metrics = metrics;
        ClassNames = classNames;
        AreaUnderRocCurve = auc;
        var m = metrics.ConfusionMatrix;
        PerClassSupport = m.Counts.Select(row => (long)row.Sum()).ToArray();
        PerClassF1 = Enumerable.Range(0, m.NumberOfClasses).Select(c =>
            m.PerClassPrecision[c] + m.PerClassRecall[c] == 0 ? 0 : 2 * m.PerClassPrecision[c] * m.PerClassRecall[c] / (m.PerClassPrecision[c] + m.PerClassRecall[c])).ToArray();
    }

    public MulticlassClassificationMetrics Metrics { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public double? AreaUnderRocCurve { get; }
    public IReadOnlyList<long> PerClassSupport { get; }
    public IReadOnlyList<double> PerClassF1 { get; }
    public double MacroF1 => PerClassF1.Average();
    public long RowCount => PerClassSupport.Sum();

    /// <summary>Evaluates a scored view (Label key, Score, PredictedLabel key) with ML.NET's evaluators.</summary>
    public static Evaluation Of(MLContext ml, IDataView scored)
    {
        // The evaluators and the AUC read the scores more than once: run the network once, keep its output.
        scored = ml.Data.Cache(scored, "Label", "Score", "PredictedLabel");
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score", predictedLabelColumnName: "PredictedLabel");
        VBuffer<ReadOnlyMemory<char>> slots = default;
        scored.Schema["Score"].GetSlotNames(ref slots);
        var names = slots.DenseValues().Select(n => n.ToString()).ToArray();
        return new Evaluation(metrics, names, names.Length == 2 ? BinaryAuc(ml, scored) : null);
    }

    /// <summary>
    /// ML.NET's evaluator leaves out the rows whose label the model does not know, and says nothing: this
    /// counts them first, warns with the first few labels, and refuses data with no known label at all
    /// (every metric would be 0 over 0 rows).
    /// </summary>
    public static void CheckLabels(IDataView data, IReadOnlyList<string> known, string path, TextWriter warnings)
    {
        var labels = data.GetColumn<string>("Label").ToList();
        var knownSet = known.ToHashSet(StringComparer.Ordinal);
        var unknown = labels.Where(l => !knownSet.Contains(l)).ToList();
        if (unknown.Count == 0) return;
        string first = string.Join(", ", unknown.Distinct().Take(5).Select(l => $"'{l}'"));
        string model = string.Join(", ", known.Take(10)) + (known.Count > 10 ? ", ..." : "");
        if (unknown.Count == labels.Count)
        {
            throw new InvalidDataException($"{path}: none of its {labels.Count:N0} rows has a label the model knows (the file's: {first}; the model's: {model}); is --label-column right?");
        }
        lock (warnings) warnings.WriteLine($"warning: {path}: {unknown.Count:N0} of {labels.Count:N0} rows have a label the model does not know ({first}); " +
                                           $"the metrics are over the other {labels.Count - unknown.Count:N0}");
    }

    /// <summary>The second class is "positive": its probability ranks the rows.</summary>
    private static double BinaryAuc(MLContext ml, IDataView scored)
    {
        var labels = scored.GetColumn<uint>("Label").ToArray();
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var rows = labels.Zip(scores, (label, score) => new BinaryRow { Label = label == 2, Score = score[1], Probability = score[1], PredictedLabel = score[1] > score[0] });
        if (labels.All(l => l == labels[0]))
        {
            return double.NaN;  // one class only: AUC is not defined
        }
        return ml.BinaryClassification.Evaluate(ml.Data.LoadFromEnumerable(rows)).AreaUnderRocCurve;
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
