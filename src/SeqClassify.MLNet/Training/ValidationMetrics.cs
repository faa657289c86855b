namespace SeqClassify.MLNet.Training;

/// <summary>
/// The per-epoch validation figures the training loop needs (accuracy, or a regression's RMSE, to keep the
/// best epoch, with log-loss and macro-F1, or Pearson, for the history), computed from predictions already in
/// memory. Users evaluate models with ML.NET's MulticlassClassification.Evaluate or Regression.Evaluate.
/// </summary>
internal static class ValidationMetrics
{
    public sealed record Result(double MicroAccuracy, double LogLoss, double MacroF1);

    /// <param name="labels">0-based class per row.</param>
    /// <param name="probabilities">[rows x classes] row-major.</param>
    /// <param name="classes">Number of classes.</param>
    public static Result Compute(IReadOnlyList<int> labels, float[] probabilities, int classes)
    {
        var truePositives = new long[classes];
        var predicted = new long[classes];
        var actual = new long[classes];
        double logLoss = 0;
        long correct = 0;
        for (int row = 0; row < labels.Count; row++)
        {
            var p = probabilities.AsSpan(row * classes, classes);
            int best = p.IndexOf(p.ToArray().Max());
            int label = labels[row];
            predicted[best]++;
            actual[label]++;
            if (best == label)
            {
                truePositives[label]++;
                correct++;
            }
            // As ML.NET: the probability is clamped away from zero, so one confident mistake is finite.
            logLoss -= Math.Log(Math.Max(p[label], 1e-15));
        }
        double f1Sum = 0;
        for (int c = 0; c < classes; c++)
        {
            double precision = predicted[c] == 0 ? 0 : (double)truePositives[c] / predicted[c];
            double recall = actual[c] == 0 ? 0 : (double)truePositives[c] / actual[c];
            f1Sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        int rows = Math.Max(labels.Count, 1);
        return new Result((double)correct / rows, logLoss / rows, f1Sum / classes);
    }

    /// <summary>A regression's root mean squared error and Pearson correlation (0 when either side is constant).</summary>
    public static (double Rmse, double Pearson) Regression(IReadOnlyList<float> gold, IReadOnlyList<float> predicted)
    {
        double squared = gold.Zip(predicted, (g, p) => ((double)p - g) * ((double)p - g)).Sum();
        return (Math.Sqrt(squared / Math.Max(gold.Count, 1)),
            Evaluation.Correlation.Pearson(gold.Select(g => (double)g).ToList(), predicted.Select(p => (double)p).ToList()));
    }
}
