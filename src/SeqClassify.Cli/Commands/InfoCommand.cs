using System.CommandLine;
using System.Globalization;
using SeqClassify.Cli.Output;
using Microsoft.ML;

namespace SeqClassify.Cli.Commands;

/// <summary>seqclassify info: what a model is (its description), readably.</summary>
internal sealed class InfoCommand
{
    private readonly Option<string> _model = new("--model") { Description = "The model .zip.", Required = true };

    public Command Build(CliConsole console)
    {
        var command = new Command("info", """
            Show what a model is: format and versions, labels, input schema, each step's options, and the training history.

            Example:
              seqclassify info --model sst2.zip
            """);
        command.Options.Add(_model);
        command.SetAction(parse => Run(parse, console));
        return command;
    }

    private int Run(ParseResult parse, CliConsole console)
    {
        var ml = new MLContext();
        string path = parse.GetValue(_model)!;
        var model = LoadedModel.Load(ml, path);
        var m = model.Description;
        var o = console.Out;
        o.WriteLine($"model:        {path}");
        o.WriteLine($"format:       {m["format"]}, read by SeqClassify {m["seqClassifyVersion"]} (engine {m["engineVersion"]})");
        o.WriteLine($"task:         {OptionTable<object>.ChoiceName(model.Classifier.ModelOptions.Task)}");
        if (!model.IsRegression) o.WriteLine($"labels:       {string.Join(", ", model.Classifier.LabelNames)}");
        if (model.Classifier.Thresholds.Count > 0)
        {
            o.WriteLine("thresholds:   " + string.Join(", ", model.Classifier.LabelNames.Zip(model.Classifier.Thresholds, (l, t) => string.Create(CultureInfo.InvariantCulture, $"{l} {t:0.###}"))));
        }
        o.WriteLine($"input:        {string.Join(", ", m["inputSchema"]!.AsArray().Select(c => $"{c!["name"]} ({c["type"]})"))}");
        var options = model.Classifier.ModelOptions;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"network:      {NetworkSummary.Encoder(options)}, embedding {options.InputSize}, {options.Pooling} pooling, vocabulary {options.VocabularySize:N0}, {model.Classifier.ParameterCount:N0} parameters"));
        o.WriteLine("steps:");
        foreach (var step in m["steps"]!.AsArray())
        {
            var shown = step!["options"]!.AsObject().Where(kv => kv.Key is not ("history" or "labelNames" or "keyNames" or "model"))
                .Select(kv => $"{kv.Key}={kv.Value?.ToJsonString()}");
            o.WriteLine($"  {step["kind"]}: {string.Join(", ", shown)}");
        }
        var history = model.Classifier.History;
        o.WriteLine($"training:     {history.TrainingRows:N0} rows, {history.ValidationRows:N0} validation rows, best epoch {history.BestEpoch}{(history.StoppedEarly ? ", stopped early" : "")}{(history.Cancelled ? ", cancelled" : "")}");
        if (history.Settings is { } t)
        {
            string weights = t.ClassWeights is { } w ? ", class weights " + string.Join(",", w.Select(x => x.ToString(CultureInfo.InvariantCulture))) : "";
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"optimiser:    {t.Epochs} epochs of batch {t.BatchSize} (at most {t.MaximumBatchTokens:N0} tokens){(t.GradientAccumulationSteps > 1 ? $", {t.GradientAccumulationSteps} batches a step" : "")}, lr {t.LearningRate} {OptionTable<object>.ChoiceName(t.Schedule)} " +
                $"after {t.WarmupFraction * 100:0.##}% warm-up, patience {t.EarlyStoppingPatience}, restore best {(t.RestoreBestEpoch ? "yes" : "no")}{weights}, seed {t.Seed}"));
        }
        if (history.Ranks > 1)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"distributed:  {history.Ranks} ranks, {history.Steps:N0} steps, {history.CommunicationSeconds * 1000 / Math.Max(1, history.Steps):F2} ms per step in collectives"));
        }
        if (history.PretrainedEmbeddings is { } vectors)
        {
            // Word vectors cover part of a vocabulary; a pretrained encoder brings its own.
            o.WriteLine(history.PretrainedCoverage is { } coverage
                ? string.Create(CultureInfo.InvariantCulture, $"embedding:    started from {vectors}, covering {coverage * 100:F1}% of the vocabulary")
                : $"pretrained:   {vectors} (its encoder, {options.NumLayers} layers of width {options.HiddenSize}, {options.Heads} heads; {options.Pooling} pooling)");
        }
        foreach (var epoch in history.Epochs)
        {
            o.WriteLine("  " + TrainingProgressDisplay.EpochLine(epoch, history.Epochs.Count, model.Classifier.ModelOptions.Task));
        }
        return ExitCodes.Success;
    }
}
