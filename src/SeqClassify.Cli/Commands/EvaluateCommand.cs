using System.CommandLine;
using System.Text.Json;
using SeqClassify.Cli.Output;
using Microsoft.ML;

namespace SeqClassify.Cli.Commands;

/// <summary>seqclassify evaluate: metrics of a saved model on a labelled file.</summary>
internal sealed class EvaluateCommand
{
    private readonly Option<string> _model = new("--model") { Description = "The model .zip.", Required = true };
    private readonly Option<string> _dataPath = new("--data") { Description = "Labelled data (CSV or TSV).", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object instead of tables." };
    private readonly Option<string> _report = new("--report") { Description = "Also write a self-contained HTML report here." };
    private readonly DataOptions _data = new();

    public Command Build(CliConsole console)
    {
        var command = new Command("evaluate", """
            Evaluate a saved model on labelled data: metrics, per-class precision/recall/F1, confusion matrix;
            a multi-label model's macro/micro F1, Hamming loss, subset accuracy and per-label figures; a
            regression's RMSE, MAE, R squared, Pearson and Spearman.

            Examples:
              seqclassify evaluate --model sst2.zip --data ../shared/datasets/sst2/test.tsv --text-column sentence --label-column label
              seqclassify evaluate --model spam.zip --data sms.tsv --no-header --text-column 1 --label-column 0 --json --report report.html
            """);
        command.Options.Add(_model);
        command.Options.Add(_dataPath);
        command.Options.Add(_json);
        command.Options.Add(_report);
        _data.AddTo(command, withLabel: true, withPair: true);
        command.SetAction(parse => Run(parse, console));
        return command;
    }

    private int Run(ParseResult parse, CliConsole console)
    {
        string? reportPath = parse.GetValue(_report);
        if (reportPath is not null)
        {
            // The same checks as train --out: never over the model or the data it reads.
            OutputFile.CheckWritable(reportPath);
            OutputFile.CheckNotAnInput("--report", reportPath, ("--model", parse.GetValue(_model)), ("--data", parse.GetValue(_dataPath)));
        }
        var ml = new MLContext();
        var model = LoadedModel.Load(ml, parse.GetValue(_model)!);
        model.RequireInput(parse.GetValue(_model)!, _data.Pairs(parse), "give --pair-column");
        var data = _data.Load(ml, parse, parse.GetValue(_dataPath)!, withLabel: true);
        bool multiLabel = model.Classifier.ModelOptions.Task == SeqClassify.Torch.SequenceTask.MultiLabel;
        if (!multiLabel && parse.GetValue(_data.LabelSeparator) is not null) throw new UsageException("--label-separator reads label lists: this model is not multi-label");
        if (multiLabel)
        {
            if (reportPath is not null) throw new UsageException("--report draws a classifier's metrics; a multi-label model's report is not written yet (use --json)");
            char separator = _data.Separator(parse);
            data = LabelSets.Normalize(ml, data, separator);
            LabelSets.CheckKnown(data, model.Classifier.LabelNames, separator, parse.GetValue(_dataPath)!, console.Error);
            var sets = ml.MulticlassClassification.EvaluateMultiLabel(model.ScoreForEvaluation(data), predictedLabelColumnName: model.Classifier.PredictedLabelColumnName);
            if (parse.GetValue(_json)) console.Out.WriteLine(MultiLabelPrinter.ToJson(sets).ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            else MultiLabelPrinter.Print(console, sets);
            return ExitCodes.Success;
        }
        if (model.IsRegression)
        {
            if (reportPath is not null) throw new UsageException("--report draws a classifier's metrics; a regression's report is not written yet (use --json)");
            RegressionLabels.Check(data, parse.GetValue(_dataPath)!);
            var scores = RegressionEvaluation.Of(ml, model.ScoreForEvaluation(data));
            if (parse.GetValue(_json)) console.Out.WriteLine(scores.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            else scores.Print(console);
            return ExitCodes.Success;
        }
        Evaluation.CheckLabels(data, model.Classifier.LabelNames, parse.GetValue(_dataPath)!, console.Error);
        var metrics = Evaluation.Of(ml, model.ScoreForEvaluation(data));
        if (parse.GetValue(_json))
        {
            console.Out.WriteLine(MetricsPrinter.ToJson(metrics).ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        }
        else
        {
            MetricsPrinter.Print(console, metrics);
        }
        if (reportPath is not null)
        {
            string html = HtmlReport.Render(parse.GetValue(_model)!, parse.GetValue(_dataPath)!, metrics, model.Classifier.History, model.Description);
            OutputFile.WriteAtomically(reportPath, temporary => File.WriteAllText(temporary, html));
            if (!parse.GetValue(_json)) console.Out.WriteLine($"report written to {reportPath}");
        }
        return ExitCodes.Success;
    }
}
