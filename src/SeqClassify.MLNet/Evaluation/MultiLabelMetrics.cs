namespace SeqClassify.MLNet.Evaluation;

/// <summary>One label's figures over the evaluated rows.</summary>
/// <param name="Label">The label's name.</param>
/// <param name="Precision">Rows predicted with it that have it, over rows predicted with it (0 when none is).</param>
/// <param name="Recall">Rows that have it and are predicted with it, over rows that have it (0 when none has).</param>
/// <param name="F1">The harmonic mean of the two (0 when both are 0).</param>
/// <param name="Support">Rows that have it.</param>
/// <param name="Threshold">The probability from which the model predicts it (NaN when not known: metrics from a scored view).</param>
public sealed record LabelMetrics(string Label, double Precision, double Recall, double F1, long Support, float Threshold);

/// <summary>
/// A multi-label model's metrics, as scikit-learn computes them (ML.NET has no multi-label evaluator): F1
/// micro-averaged (every label decision of every row pooled) and macro-averaged (the mean of the labels'
/// F1, GoEmotions' headline figure), Hamming loss, subset accuracy, and label-ranking average precision
/// (from the probabilities alone, no threshold).
/// </summary>
/// <param name="MicroPrecision">Pooled precision.</param>
/// <param name="MicroRecall">Pooled recall.</param>
/// <param name="MicroF1">Pooled F1.</param>
/// <param name="MacroF1">The mean of the labels' F1.</param>
/// <param name="HammingLoss">The fraction of label decisions that are wrong.</param>
/// <param name="SubsetAccuracy">The fraction of rows whose whole predicted set is their set.</param>
/// <param name="LabelRankingAveragePrecision">scikit-learn's label_ranking_average_precision_score (a row with no label counts 1).</param>
/// <param name="Rows">Rows evaluated.</param>
/// <param name="PerLabel">Each label's figures, in key order.</param>
public sealed record MultiLabelMetrics(double MicroPrecision, double MicroRecall, double MicroF1, double MacroF1, double HammingLoss,
    double SubsetAccuracy, double LabelRankingAveragePrecision, long Rows, IReadOnlyList<LabelMetrics> PerLabel)
{
    /// <summary>
    /// The metrics of <paramref name="probabilities"/> ([rows x labels], row-major) against <paramref name="truth"/>
    /// (the same shape, 1 where a row has a label), a label predicted where its probability is at least its threshold.
    /// </summary>
    public static MultiLabelMetrics Compute(IReadOnlyList<float> truth, IReadOnlyList<float> probabilities, IReadOnlyList<string> labels,
        IReadOnlyList<float> thresholds)
    {
        int n = labels.Count;
        var predicted = new bool[probabilities.Count];
        for (int i = 0; i < predicted.Length; i++) predicted[i] = probabilities[i] >= thresholds[i % n];
        return Compute(truth, probabilities, predicted, labels, thresholds);
    }

    /// <summary>The same, with the predicted sets given (<paramref name="predictedSets"/>: [rows x labels], true where predicted).</summary>
    public static MultiLabelMetrics Compute(IReadOnlyList<float> truth, IReadOnlyList<float> probabilities, IReadOnlyList<bool> predictedSets,
        IReadOnlyList<string> labels, IReadOnlyList<float>? thresholds)
    {
        int n = labels.Count, rows = n == 0 ? 0 : truth.Count / n;
        var tp = new long[n];
        var fp = new long[n];
        var fn = new long[n];
        long wrong = 0, exact = 0;
        double ranking = 0;
        for (int r = 0; r < rows; r++)
        {
            bool all = true;
            for (int l = 0; l < n; l++)
            {
                bool has = truth[r * n + l] >= 0.5f, predicted = predictedSets[r * n + l];
                if (has && predicted) tp[l]++;
                else if (predicted) fp[l]++;
                else if (has) fn[l]++;
                if (has != predicted)
                {
                    wrong++;
                    all = false;
                }
            }
            if (all) exact++;
            ranking += RankingPrecision(truth, probabilities, r, n);
        }
        static double Ratio(double a, double b) => b == 0 ? 0 : a / b;
        var perLabel = Enumerable.Range(0, n).Select(l =>
        {
            double p = Ratio(tp[l], tp[l] + fp[l]), rc = Ratio(tp[l], tp[l] + fn[l]);
            return new LabelMetrics(labels[l], p, rc, Ratio(2 * p * rc, p + rc), tp[l] + fn[l], thresholds?[l] ?? float.NaN);
        }).ToList();
        long tps = tp.Sum(), fps = fp.Sum(), fns = fn.Sum();
        double microP = Ratio(tps, tps + fps), microR = Ratio(tps, tps + fns);
        return new MultiLabelMetrics(microP, microR, Ratio(2 * microP * microR, microP + microR), n == 0 ? 0 : perLabel.Average(m => m.F1),
            Ratio(wrong, (double)rows * n), Ratio(exact, rows), Ratio(ranking, rows), rows, perLabel);
    }

    // For each label the row has: the share of the labels ranked at or above it that the row has, averaged.
    private static double RankingPrecision(IReadOnlyList<float> truth, IReadOnlyList<float> probabilities, int row, int n)
    {
        int relevant = 0;
        double sum = 0;
        for (int l = 0; l < n; l++)
        {
            if (truth[row * n + l] < 0.5f) continue;
            relevant++;
            float p = probabilities[row * n + l];
            int atOrAbove = 0, relevantAtOrAbove = 0;
            for (int k = 0; k < n; k++)
            {
                if (probabilities[row * n + k] < p) continue;
                atOrAbove++;
                if (truth[row * n + k] >= 0.5f) relevantAtOrAbove++;
            }
            sum += (double)relevantAtOrAbove / atOrAbove;
        }
        return relevant == 0 ? 1 : sum / relevant;
    }

    /// <summary>
    /// Each label's threshold that maximizes its F1 on these rows (the lowest probability it is then predicted
    /// from; ties go to the threshold nearest 0.5), or 0.5 for a label no row has: what maximizes macro-F1.
    /// </summary>
    public static float[] BestThresholds(IReadOnlyList<float> truth, IReadOnlyList<float> probabilities, int labels)
    {
        int rows = labels == 0 ? 0 : truth.Count / labels;
        var thresholds = new float[labels];
        for (int l = 0; l < labels; l++)
        {
            var order = Enumerable.Range(0, rows).OrderByDescending(r => probabilities[r * labels + l]).ToArray();
            long positives = order.LongCount(r => truth[r * labels + l] >= 0.5f);
            thresholds[l] = 0.5f;
            if (positives == 0) continue;
            double best = -1;
            long tp = 0;
            for (int k = 0; k < order.Length; k++)
            {
                if (truth[order[k] * labels + l] >= 0.5f) tp++;
                // Predicting the first k + 1 rows: only where the next row's probability is lower (a threshold between them).
                float p = probabilities[order[k] * labels + l];
                if (k + 1 < order.Length && probabilities[order[k + 1] * labels + l] == p) continue;
                double f1 = 2.0 * tp / (k + 1 + positives);
                if (f1 > best + 1e-12 || (Math.Abs(f1 - best) <= 1e-12 && Math.Abs(p - 0.5f) < Math.Abs(thresholds[l] - 0.5f)))
                {
                    best = f1;
                    thresholds[l] = p;
                }
            }
        }
        return thresholds;
    }
}
