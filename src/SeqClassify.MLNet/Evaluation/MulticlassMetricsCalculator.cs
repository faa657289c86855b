namespace SeqClassify.MLNet.Evaluation;

/// <summary>Computes <see cref="MulticlassClassificationMetrics"/> from true classes and probabilities.</summary>
internal static class MulticlassMetricsCalculator
{
    // As ML.NET: probabilities are clipped away from 0 so that one confident mistake is not infinite.
    private const double Epsilon = 1e-15;

    /// <param name="labels">0-based true class per row.</param>
    /// <param name="probabilities">[rows x classes] row-major.</param>
    /// <param name="classNames">Class names in key order.</param>
    /// <param name="topK">k for TopKAccuracy.</param>
    public static MulticlassClassificationMetrics Compute(IReadOnlyList<int> labels, float[] probabilities, IReadOnlyList<string> classNames, int topK)
    {
        int classes = classNames.Count, rows = labels.Count;
        if (rows == 0) throw new InvalidOperationException("There are no rows to evaluate.");
        if (topK < 1 || topK > classes) throw new ArgumentOutOfRangeException(nameof(topK), topK, $"topK must be in [1, {classes}].");
        var confusion = new long[classes, classes];
        var support = new long[classes];
        var classLoss = new double[classes];
        double logLoss = 0;
        long inTopK = 0;
        for (int r = 0; r < rows; r++)
        {
            var p = probabilities.AsSpan(r * classes, classes);
            int truth = labels[r];
            int predicted = p.IndexOf(MaxOf(p));
            confusion[truth, predicted]++;
            support[truth]++;
            double loss = -Math.Log(Math.Max(p[truth], Epsilon));
            logLoss += loss;
            classLoss[truth] += loss;
            int higher = 0;
            foreach (float q in p) if (q > p[truth]) higher++;
            if (higher < topK) inTopK++;
        }
        logLoss /= rows;
        double prior = 0;
        for (int c = 0; c < classes; c++)
        {
            if (support[c] > 0)
            {
                double f = (double)support[c] / rows;
                prior -= f * Math.Log(f);
            }
        }
        var matrix = new ConfusionMatrix(classNames, confusion);
        var f1 = Enumerable.Range(0, classes).Select(c =>
        {
            double pr = matrix.PerClassPrecision[c], re = matrix.PerClassRecall[c];
            return pr + re == 0 ? 0 : 2 * pr * re / (pr + re);
        }).ToArray();
        var present = Enumerable.Range(0, classes).Where(c => support[c] > 0).ToArray();
        long correct = Enumerable.Range(0, classes).Sum(c => confusion[c, c]);
        return new MulticlassClassificationMetrics
        {
            MicroAccuracy = (double)correct / rows,
            MacroAccuracy = present.Average(c => matrix.PerClassRecall[c]),
            LogLoss = logLoss,
            LogLossReduction = prior > 0 ? 1 - logLoss / prior : 0,
            TopKPredictionCount = topK,
            TopKAccuracy = (double)inTopK / rows,
            PerClassLogLoss = Enumerable.Range(0, classes).Select(c => support[c] > 0 ? classLoss[c] / support[c] : 0).ToArray(),
            PerClassF1 = f1,
            PerClassSupport = support,
            MacroF1 = f1.Average(),
            AreaUnderRocCurve = classes == 2 ? Auc(labels, probabilities) : null,
            ConfusionMatrix = matrix,
            RowCount = rows,
        };
    }

    private static float MaxOf(ReadOnlySpan<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (float v in values) if (v > max) max = v;
        return max;
    }

    // The Mann-Whitney statistic: the chance a random positive scores above a random negative (ties count half).
    private static double? Auc(IReadOnlyList<int> labels, float[] probabilities)
    {
        var scored = Enumerable.Range(0, labels.Count).Select(r => (Score: probabilities[r * 2 + 1], Positive: labels[r] == 1))
            .OrderBy(x => x.Score).ToArray();
        long positives = scored.Count(x => x.Positive), negatives = scored.Length - positives;
        if (positives == 0 || negatives == 0) return null;
        double rankSum = 0;
        for (int i = 0; i < scored.Length;)
        {
            int j = i;
            while (j < scored.Length && scored[j].Score == scored[i].Score) j++;
            double averageRank = (i + j + 1) / 2.0;  // 1-based ranks i+1..j
            for (int k = i; k < j; k++) if (scored[k].Positive) rankSum += averageRank;
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
