using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using SeqClassify.MLNet.Evaluation;
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
            Correlation.Pearson(gold, predicted), Correlation.Spearman(gold, predicted), gold.Length);
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
