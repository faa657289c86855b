using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace SeqClassify.Cli.Output;

/// <summary>Metrics as a table for people, or as one JSON object for programs.</summary>
internal static class MetricsPrinter
{
    public static void Print(CliConsole console, Evaluation e)
    {
        var m = e.Metrics;
        var summary = new Table().AddColumns("metric", "value");
        void Row(string name, double? value) => summary.AddRow(name, value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-");
        Row("micro accuracy", m.MicroAccuracy);
        Row("macro accuracy", m.MacroAccuracy);
        Row("macro F1", e.MacroF1);
        Row("log-loss", m.LogLoss);
        Row("log-loss reduction", m.LogLossReduction);
        Row("AUC", e.AreaUnderRocCurve);
        summary.AddRow("rows", e.RowCount.ToString("N0", CultureInfo.InvariantCulture));
        console.Ansi.Write(summary);

        var perClass = new Table().AddColumns("class", "precision", "recall", "F1", "support");
        var matrix = m.ConfusionMatrix;
        for (int c = 0; c < e.ClassNames.Count; c++)
        {
            perClass.AddRow(Markup.Escape(e.ClassNames[c]), F(matrix.PerClassPrecision[c]), F(matrix.PerClassRecall[c]), F(e.PerClassF1[c]),
                e.PerClassSupport[c].ToString("N0", CultureInfo.InvariantCulture));
        }
        console.Ansi.Write(perClass);
        console.Out.Write(matrix.GetFormattedConfusionTable());
        console.Out.Flush();
    }

    public static JsonObject ToJson(Evaluation e)
    {
        var m = e.Metrics;
        var names = e.ClassNames;
        // JSON has no NaN or infinity (a class with no rows has no F1; one class has no log-loss reduction): null instead.
        static double? N(double v) => double.IsFinite(v) ? v : null;
        return new JsonObject
        {
            ["microAccuracy"] = N(m.MicroAccuracy),
            ["macroAccuracy"] = N(m.MacroAccuracy),
            ["macroF1"] = N(e.MacroF1),
            ["logLoss"] = N(m.LogLoss),
            ["logLossReduction"] = N(m.LogLossReduction),
            ["auc"] = e.AreaUnderRocCurve is double auc ? N(auc) : null,
            ["rows"] = e.RowCount,
            ["perClass"] = new JsonObject(names.Select((n, c) => KeyValuePair.Create(n, (JsonNode?)new JsonObject
            {
                ["precision"] = N(m.ConfusionMatrix.PerClassPrecision[c]),
                ["recall"] = N(m.ConfusionMatrix.PerClassRecall[c]),
                ["f1"] = N(e.PerClassF1[c]),
                ["support"] = e.PerClassSupport[c],
                ["logLoss"] = N(m.PerClassLogLoss[c]),
            }))),
            ["confusionMatrix"] = new JsonObject
            {
                ["labels"] = new JsonArray(names.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
                ["counts"] = new JsonArray(m.ConfusionMatrix.Counts.Select(row => (JsonNode?)new JsonArray(row.Select(v => (JsonNode?)JsonValue.Create((long)v)).ToArray())).ToArray()),
            },
        };
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
