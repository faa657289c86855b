using System.Globalization;
using System.Text.Json.Nodes;
using SeqClassify.MLNet.Evaluation;
using Spectre.Console;

namespace SeqClassify.Cli.Output;

/// <summary>A multi-label model's metrics as tables for people (the summary, then each label's), or as one JSON object.</summary>
internal static class MultiLabelPrinter
{
    public static void Print(CliConsole console, MultiLabelMetrics m)
    {
        var summary = new Table().AddColumns("metric", "value");
        void Row(string name, double value) => summary.AddRow(name, F(value));
        Row("macro F1", m.MacroF1);
        Row("micro F1", m.MicroF1);
        Row("micro precision", m.MicroPrecision);
        Row("micro recall", m.MicroRecall);
        Row("Hamming loss", m.HammingLoss);
        Row("subset accuracy", m.SubsetAccuracy);
        Row("label ranking avg precision", m.LabelRankingAveragePrecision);
        summary.AddRow("rows", m.Rows.ToString("N0", CultureInfo.InvariantCulture));
        console.Ansi.Write(summary);
        var perLabel = new Table().AddColumns("label", "precision", "recall", "F1", "support");
        foreach (var l in m.PerLabel)
        {
            perLabel.AddRow(Markup.Escape(l.Label), F(l.Precision), F(l.Recall), F(l.F1), l.Support.ToString("N0", CultureInfo.InvariantCulture));
        }
        console.Ansi.Write(perLabel);
        console.Out.Flush();
    }

    public static JsonObject ToJson(MultiLabelMetrics m) => new()
    {
        ["macroF1"] = m.MacroF1, ["microF1"] = m.MicroF1, ["microPrecision"] = m.MicroPrecision, ["microRecall"] = m.MicroRecall,
        ["hammingLoss"] = m.HammingLoss, ["subsetAccuracy"] = m.SubsetAccuracy, ["labelRankingAveragePrecision"] = m.LabelRankingAveragePrecision,
        ["rows"] = m.Rows,
        ["perLabel"] = new JsonObject(m.PerLabel.Select(l => KeyValuePair.Create(l.Label, (JsonNode?)new JsonObject
        {
            ["precision"] = l.Precision, ["recall"] = l.Recall, ["f1"] = l.F1, ["support"] = l.Support,
        }))),
    };

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
