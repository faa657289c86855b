using System.Globalization;
using System.Text.Json.Nodes;
using SeqClassify.MLNet.Evaluation;
using Spectre.Console;

namespace SeqClassify.Cli.Output;

/// <summary>Metrics as a table for people, or as one JSON object for programs.</summary>
internal static class MetricsPrinter
{
    public static void Print(CliConsole console, MulticlassClassificationMetrics m)
    {
        var summary = new Table().AddColumns("metric", "value");
        void Row(string name, double? value) => summary.AddRow(name, value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-");
        Row("micro accuracy", m.MicroAccuracy);
        Row("macro accuracy", m.MacroAccuracy);
        Row("macro F1", m.MacroF1);
        Row("log-loss", m.LogLoss);
        Row("log-loss reduction", m.LogLossReduction);
        Row("AUC", m.AreaUnderRocCurve);
        summary.AddRow("rows", m.RowCount.ToString("N0", CultureInfo.InvariantCulture));
        console.Ansi.Write(summary);

        var perClass = new Table().AddColumns("class", "precision", "recall", "F1", "support");
        for (int c = 0; c < m.ConfusionMatrix.ClassNames.Count; c++)
        {
            perClass.AddRow(Markup.Escape(m.ConfusionMatrix.ClassNames[c]), F(m.PerClassPrecision[c]), F(m.PerClassRecall[c]), F(m.PerClassF1[c]),
                m.PerClassSupport[c].ToString("N0", CultureInfo.InvariantCulture));
        }
        console.Ansi.Write(perClass);
        console.Out.Write(m.ConfusionMatrix.GetFormattedConfusionTable());
        console.Out.Flush();
    }

    public static JsonObject ToJson(MulticlassClassificationMetrics m)
    {
        var names = m.ConfusionMatrix.ClassNames;
        return new JsonObject
        {
            ["microAccuracy"] = m.MicroAccuracy,
            ["macroAccuracy"] = m.MacroAccuracy,
            ["macroF1"] = m.MacroF1,
            ["logLoss"] = m.LogLoss,
            ["logLossReduction"] = m.LogLossReduction,
            ["auc"] = m.AreaUnderRocCurve,
            ["rows"] = m.RowCount,
            ["perClass"] = new JsonObject(names.Select((n, c) => KeyValuePair.Create(n, (JsonNode?)new JsonObject
            {
                ["precision"] = m.PerClassPrecision[c],
                ["recall"] = m.PerClassRecall[c],
                ["f1"] = m.PerClassF1[c],
                ["support"] = m.PerClassSupport[c],
                ["logLoss"] = m.PerClassLogLoss[c],
            }))),
            ["confusionMatrix"] = new JsonObject
            {
                ["labels"] = new JsonArray(names.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
                ["counts"] = new JsonArray(m.ConfusionMatrix.Counts.Select(row => (JsonNode?)new JsonArray(row.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())).ToArray()),
            },
        };
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
