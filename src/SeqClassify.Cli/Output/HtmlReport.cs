using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqClassify.MLNet.Training;

namespace SeqClassify.Cli.Output;

/// <summary>
/// One self-contained HTML file: metrics, a confusion-matrix heat map, the training curves from the
/// model's history (inline SVG) and the model's configuration. No scripts, no external files.
/// </summary>
internal static class HtmlReport
{
    public static string Render(string modelPath, string dataPath, Evaluation metrics, TrainingHistory history, JsonObject description)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>SeqClassify evaluation report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
            h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.3rem .7rem;border:1px solid #ccc;text-align:right}
            th{background:#f4f4f4}td.name,th.name{text-align:left}.heat td{min-width:4.5rem;text-align:center}
            .charts{display:flex;gap:2rem;flex-wrap:wrap}pre{background:#f7f7f7;padding:1rem;overflow:auto;font-size:.8rem}
            </style></head><body>
            """);
        html.Append($"<h1>Evaluation report</h1><p>Model <code>{E(modelPath)}</code> on <code>{E(dataPath)}</code> ({metrics.RowCount:N0} rows).</p>");

        html.Append("<h2>Metrics</h2><table><tr><th class=name>metric</th><th>value</th></tr>");
        foreach (var (name, value) in new (string, double?)[]
                 {
                     ("micro accuracy", metrics.Metrics.MicroAccuracy), ("macro accuracy", metrics.Metrics.MacroAccuracy), ("macro F1", metrics.MacroF1),
                     ("log-loss", metrics.Metrics.LogLoss), ("log-loss reduction", metrics.Metrics.LogLossReduction), ("AUC", metrics.AreaUnderRocCurve),
                 })
        {
            html.Append($"<tr><td class=name>{name}</td><td>{(value is double v ? F(v) : "-")}</td></tr>");
        }
        html.Append("</table><table><tr><th class=name>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
        var names = metrics.ClassNames;
        var matrix = metrics.Metrics.ConfusionMatrix;
        for (int c = 0; c < names.Count; c++)
        {
            html.Append($"<tr><td class=name>{E(names[c])}</td><td>{F(matrix.PerClassPrecision[c])}</td><td>{F(matrix.PerClassRecall[c])}</td><td>{F(metrics.PerClassF1[c])}</td><td>{metrics.PerClassSupport[c]:N0}</td></tr>");
        }
        html.Append("</table>");

        html.Append("<h2>Confusion matrix</h2><p>Rows: true class; columns: predicted. Colour: share of the row.</p><table class=heat><tr><th class=name>truth \\ predicted</th>");
        foreach (var n in names) html.Append($"<th>{E(n)}</th>");
        html.Append("</tr>");
        for (int t = 0; t < names.Count; t++)
        {
            double total = Math.Max(1, matrix.Counts[t].Sum());
            html.Append($"<tr><th class=name>{E(names[t])}</th>");
            foreach (double count in matrix.Counts[t])
            {
                double share = count / total;
                string colour = $"rgba(31,119,180,{share.ToString("F3", CultureInfo.InvariantCulture)})";
                html.Append($"<td style=\"background:{colour};color:{(share > 0.55 ? "#fff" : "#222")}\">{count:N0}</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</table>");

        html.Append("<h2>Training curves</h2>");
        if (history.Epochs.Count == 0)
        {
            html.Append("<p>The model carries no training history.</p>");
        }
        else
        {
            html.Append("<div class=charts>");
            html.Append(Chart("Loss per epoch", history.Epochs, [("train loss", e => e.TrainLoss, "#d62728"), ("validation log-loss", e => e.ValidationLogLoss, "#9467bd")]));
            html.Append(Chart("Accuracy per epoch", history.Epochs, [("train accuracy", e => e.TrainAccuracy, "#1f77b4"), ("validation accuracy", e => e.ValidationAccuracy, "#2ca02c")]));
            html.Append("</div>");
            html.Append($"<p>Best epoch: {history.BestEpoch}{(history.StoppedEarly ? " (stopped early)" : "")}{(history.Cancelled ? " (training was cancelled)" : "")}.</p>");
        }

        html.Append("<h2>Model configuration</h2><pre>");
        html.Append(E(JsonSerializer.Serialize(Configuration(description), new JsonSerializerOptions { WriteIndented = true })));
        html.Append("</pre></body></html>\n");
        return html.ToString();
    }

    /// <summary>The description's steps and network; the history is drawn above instead.</summary>
    private static JsonObject Configuration(JsonObject description) => new()
    {
        ["steps"] = description["steps"]!.DeepClone(),
        ["network"] = description["network"]!.DeepClone(),
    };

    private static string Chart(string title, IReadOnlyList<EpochSummary> epochs, (string Name, Func<EpochSummary, double?> Value, string Colour)[] series)
    {
        const int width = 460, height = 280, left = 50, right = 15, top = 50, bottom = 40;
        var values = series.SelectMany(s => epochs.Select(s.Value)).OfType<double>().ToList();
        double min = Math.Min(0, values.DefaultIfEmpty(0).Min()), max = values.DefaultIfEmpty(1).Max();
        if (max <= min) max = min + 1;
        double X(int i) => left + (epochs.Count == 1 ? (width - left - right) / 2.0 : i * (width - left - right) / (double)(epochs.Count - 1));
        double Y(double v) => top + (height - top - bottom) * (1 - (v - min) / (max - min));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{E(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{E(title)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"#888\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"#888\"/>");
        for (int k = 0; k <= 4; k++)
        {
            double v = min + (max - min) * k / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 5}\" y=\"{Y(v) + 4:F1}\" font-size=\"10\" text-anchor=\"end\">{v:F2}</text>");
        }
        for (int i = 0; i < epochs.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):F1}\" y=\"{height - bottom + 14}\" font-size=\"10\" text-anchor=\"middle\">{epochs[i].Epoch}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(width + left) / 2}\" y=\"{height - 5}\" font-size=\"11\" text-anchor=\"middle\">epoch</text>");
        int legend = 0;
        foreach (var (name, value, colour) in series)
        {
            var points = epochs.Select((e, i) => (i, v: value(e))).Where(p => p.v is not null).ToList();
            if (points.Count == 0) continue;
            string path = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.i):F1},{Y(p.v!.Value):F1}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{path}\"/>");
            foreach (var p in points) svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.i):F1}\" cy=\"{Y(p.v!.Value):F1}\" r=\"3\" fill=\"{colour}\"/>");
            // The legend sits in a row between the title and the plot, so it never covers a curve.
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + legend * 170}\" y=\"27\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{left + 15 + legend * 170}\" y=\"36\" font-size=\"11\">{E(name)}</text>");
            legend++;
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
