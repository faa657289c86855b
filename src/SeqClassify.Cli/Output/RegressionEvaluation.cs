using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

namespace SeqClassify.Cli.Output;

/// <summary>
/// A regression's metrics: ML.NET's (RMSE, MAE, R², from ml.Regression.Evaluate) with the correlations that
/// sentence-similarity benchmarks report (STS-B: Pearson's and Spearman's), as a table or one JSON object.
/// </summary>
internal sealed record RegressionEvaluation(double Rmse, double Mae, double RSquared, double Pearson, double Spearman, long Rows)
{
    /// <summary>Evaluates a scored view (Label and Score, both Single).</summary>
    public static RegressionEvaluation Of(MLContext ml, IDataView scored)
    {
        scored = ml.Data.Cache(scored, "Label", "Score");
        var metrics = ml.Regression.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score");
        double[] gold = scored.GetColumn<float>("Label").Select(v => (double)v).ToArray();
        double[] predicted = scored.GetColumn<float>("Score").Select(v => (double)v).ToArray();
        return new RegressionEvaluation(metrics.RootMeanSquaredError, metrics.MeanAbsoluteError, metrics.RSquared,
            Correlation(gold, predicted), Correlation(Ranks(gold), Ranks(predicted)), gold.Length);
    }

    /// <summary>Pearson's r; 0 when either side is constant (undefined).</summary>
    public static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double meanA = a.Average(), meanB = b.Average(), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            ab += (a[i] - meanA) * (b[i] - meanB);
            aa += (a[i] - meanA) * (a[i] - meanA);
            bb += (b[i] - meanB) * (b[i] - meanB);
        }
        return aa > 0 && bb > 0 ? ab / Math.Sqrt(aa * bb) : 0;
    }

    /// <summary>1-based ranks, ties sharing their mean rank (Spearman's rho is Pearson's r of these).</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            for (int k = start; k <= end; k++) ranks[order[k]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        return ranks;
    }

    public void Print(CliConsole console)
    {
        var table = new Table().AddColumns("metric", "value");
        void Row(string name, double value) => table.AddRow(name, value.ToString("F4", CultureInfo.InvariantCulture));
        Row("RMSE", Rmse);
        Row("MAE", Mae);
        Row("R squared", RSquared);
        Row("Pearson", Pearson);
        Row("Spearman", Spearman);
        table.AddRow("rows", Rows.ToString("N0", CultureInfo.InvariantCulture));
        console.Ansi.Write(table);
        console.Out.Flush();
    }

    public JsonObject ToJson()
    {
        static double? N(double v) => double.IsFinite(v) ? v : null;
        return new JsonObject
        {
            ["rmse"] = N(Rmse), ["mae"] = N(Mae), ["rSquared"] = N(RSquared), ["pearson"] = N(Pearson), ["spearman"] = N(Spearman), ["rows"] = Rows,
        };
    }
}
