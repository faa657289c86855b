using System.Globalization;
using System.Text;

namespace SeqClassify.MLNet.Evaluation;

/// <summary>Counts of (true class, predicted class), with per-class precision and recall.</summary>
public sealed class ConfusionMatrix
{
    internal ConfusionMatrix(IReadOnlyList<string> classNames, long[,] counts)
    {
        ClassNames = classNames;
        Counts = Enumerable.Range(0, classNames.Count)
            .Select(t => (IReadOnlyList<long>)Enumerable.Range(0, classNames.Count).Select(p => counts[t, p]).ToArray()).ToArray();
        PerClassPrecision = Enumerable.Range(0, classNames.Count).Select(c => Ratio(counts[c, c], Column(counts, c))).ToArray();
        PerClassRecall = Enumerable.Range(0, classNames.Count).Select(c => Ratio(counts[c, c], Row(counts, c))).ToArray();
    }

    /// <summary>Class names in key order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Counts[t][p]: rows of true class t predicted as p.</summary>
    public IReadOnlyList<IReadOnlyList<long>> Counts { get; }

    /// <summary>Per class: correct predictions of it / all predictions of it.</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>Per class: correct predictions of it / all rows of it.</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>A fixed-width table: rows are truth, columns predictions, with recall per row and precision below.</summary>
    public string GetFormattedConfusionTable()
    {
        int width = Math.Max(9, ClassNames.Max(n => n.Length) + 2);
        var sb = new StringBuilder();
        sb.Append("Confusion table (rows: truth, columns: predicted)\n");
        sb.Append(Pad("", width)).Append(" |");
        foreach (var name in ClassNames) sb.Append(Pad(name, width));
        sb.Append(" | Recall\n");
        sb.Append(new string('-', width * (ClassNames.Count + 1) + 12)).Append('\n');
        for (int t = 0; t < ClassNames.Count; t++)
        {
            sb.Append(Pad(ClassNames[t], width)).Append(" |");
            foreach (long count in Counts[t]) sb.Append(Pad(count.ToString("N0", CultureInfo.InvariantCulture), width));
            sb.Append(" | ").Append(PerClassRecall[t].ToString("F4", CultureInfo.InvariantCulture)).Append('\n');
        }
        sb.Append(new string('-', width * (ClassNames.Count + 1) + 12)).Append('\n');
        sb.Append(Pad("Precision", width)).Append(" |");
        foreach (double p in PerClassPrecision) sb.Append(Pad(p.ToString("F4", CultureInfo.InvariantCulture), width));
        sb.Append('\n');
        return sb.ToString();
    }

    private static string Pad(string s, int width) => s.Length >= width ? s[..width] : s.PadLeft(width);
    private static long Row(long[,] m, int r) => Enumerable.Range(0, m.GetLength(1)).Sum(c => m[r, c]);
    private static long Column(long[,] m, int c) => Enumerable.Range(0, m.GetLength(0)).Sum(r => m[r, c]);
    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
}

/// <summary>Multiclass metrics, named as ML.NET's MulticlassClassificationMetrics, plus F1 and binary AUC.</summary>
public sealed class MulticlassClassificationMetrics
{
    /// <summary>Fraction of rows predicted correctly.</summary>
    public required double MicroAccuracy { get; init; }

    /// <summary>Mean over classes of each class's accuracy (recall).</summary>
    public required double MacroAccuracy { get; init; }

    /// <summary>Mean negative natural log of the true class's probability.</summary>
    public required double LogLoss { get; init; }

    /// <summary>1 - LogLoss / (log-loss of predicting the class frequencies): 0 is no better than the prior.</summary>
    public required double LogLossReduction { get; init; }

    /// <summary>The k of <see cref="TopKAccuracy"/>.</summary>
    public required int TopKPredictionCount { get; init; }

    /// <summary>Fraction of rows whose true class is among the k most probable.</summary>
    public required double TopKAccuracy { get; init; }

    /// <summary>Log-loss of the rows of each class.</summary>
    public required IReadOnlyList<double> PerClassLogLoss { get; init; }

    /// <summary>Per-class precision.</summary>
    public IReadOnlyList<double> PerClassPrecision => ConfusionMatrix.PerClassPrecision;

    /// <summary>Per-class recall.</summary>
    public IReadOnlyList<double> PerClassRecall => ConfusionMatrix.PerClassRecall;

    /// <summary>Per-class F1 (harmonic mean of precision and recall).</summary>
    public required IReadOnlyList<double> PerClassF1 { get; init; }

    /// <summary>Rows of each class.</summary>
    public required IReadOnlyList<long> PerClassSupport { get; init; }

    /// <summary>Mean of <see cref="PerClassF1"/>.</summary>
    public required double MacroF1 { get; init; }

    /// <summary>Area under the ROC curve of the second class's probability, with two classes; else null.</summary>
    public required double? AreaUnderRocCurve { get; init; }

    /// <summary>Counts of (truth, prediction).</summary>
    public required ConfusionMatrix ConfusionMatrix { get; init; }

    /// <summary>Rows evaluated.</summary>
    public required long RowCount { get; init; }
}
