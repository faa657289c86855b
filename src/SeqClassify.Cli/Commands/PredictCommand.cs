using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using SeqClassify.Cli.Output;

namespace SeqClassify.Cli.Commands;

/// <summary>seqclassify predict: labels and top-k probabilities as JSON lines.</summary>
internal sealed class PredictCommand
{
    // Texts handed to the model at once: it sorts up to 2,048 of them by length into batches.
    private const int BatchRows = 2048;

    private readonly Option<string> _model = new("--model") { Description = "The model .zip.", Required = true };
    private readonly Option<string[]> _text = new("--text") { Description = "A text to classify; repeat for several." };
    private readonly Option<string> _input = new("--input") { Description = "A CSV/TSV file to classify (with --text-column), or - for one text per line on standard input." };
    private readonly Option<int> _topK = new("--top-k") { Description = "How many labels to list per text.", DefaultValueFactory = _ => 1 };
    private readonly Option<int?> _explain = new("--explain")
    {
        Description = $"With a model pooled by attention: add the N tokens it attended to most, with their weights (N defaults to {DefaultExplainedTokens}).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private const int DefaultExplainedTokens = 5;
    private readonly DataOptions _data = new();

    public Command Build(CliConsole console, TextReader input)
    {
        var command = new Command("predict", """
            Classify texts. Writes one JSON line per text: the text (or row number), the label, and the top-k labels with probabilities.

            Examples:
              seqclassify predict --model sst2.zip --text "a gorgeous, witty film" --text "dull and lifeless" --top-k 2
              seqclassify predict --model spam.zip --input new.tsv --no-header --text-column 1
              cat texts.txt | seqclassify predict --model spam.zip --input -
              seqclassify predict --model spam-attention.zip --text "WIN a free prize, text now" --explain 3
            """);
        command.Options.Add(_model);
        command.Options.Add(_text);
        command.Options.Add(_input);
        command.Options.Add(_topK);
        command.Options.Add(_explain);
        _data.AddTo(command, withLabel: false, textRequired: false, withPair: true);
        command.SetAction(parse => Run(parse, console, input));
        return command;
    }

    private int Run(ParseResult parse, CliConsole console, TextReader stdin)
    {
        string[] texts = parse.GetValue(_text) ?? [];
        string? inputPath = parse.GetValue(_input);
        if ((texts.Length > 0) == (inputPath is not null))
        {
            throw new UsageException("give --text (one or more) or --input, not both and not neither");
        }
        var ml = new MLContext();
        string path = parse.GetValue(_model)!;
        var model = LoadedModel.Load(ml, path);
        bool fromFile = inputPath is not null && inputPath != "-";
        // Pairs come only from a file's two columns.
        model.RequireInput(path, _data.Pairs(parse) && (fromFile || !model.ReadsPairs), "give --input FILE with --text-column and --pair-column");
        int topK = parse.GetValue(_topK);
        int classes = model.Classifier.LabelNames.Count;
        // A regression answers a score: --top-k has nothing to choose among.
        if (!model.IsRegression && (topK < 1 || topK > classes))
        {
            throw new UsageException($"--top-k must be between 1 and {classes} (the model's classes), got {topK}");
        }
        int? explain = parse.GetResult(_explain) is null ? null : parse.GetValue(_explain) ?? DefaultExplainedTokens;
        if (explain < 1) throw new UsageException($"--explain must be at least 1, got {explain}");
        if (explain is not null && !model.Classifier.HasAttentionWeights)
        {
            throw new UsageException($"--explain needs a model pooled by attention (train --pooling attention); this one pools by {model.Classifier.ModelOptions.Pooling.ToString().ToLowerInvariant()}");
        }
        if (model.ReadsPairs) return PredictPairs(parse, console, ml, model, inputPath!, topK, explain);
        IEnumerable<string> source = texts.Length > 0 ? texts
            : fromFile ? _data.Load(ml, parse, inputPath!, withLabel: false).GetColumn<string>("Text").Select(t => t ?? "")
            : ReadLines(stdin);
        long row = 0;
        foreach (var chunk in source.Chunk(BatchRows))
        {
            var attention = explain is null ? null : model.Attention(chunk);
            foreach (var (text, score, i) in chunk.Zip(model.Score(chunk), Enumerable.Range(0, chunk.Length)))
            {
                var line = new JsonObject();
                if (fromFile) line["row"] = row;
                line["text"] = text;  // as given, not as normalized
                PredictionJson.Add(line, score, model.Classifier, topK);
                if (attention is not null) line["attention"] = MostAttended(attention[i], explain!.Value);
                console.Out.WriteLine(line.ToJsonString());
                row++;
            }
        }
        return ExitCodes.Success;
    }

    // A pair model's predictions for a file's rows: "row", "text", "pair", then the prediction.
    private int PredictPairs(ParseResult parse, CliConsole console, MLContext ml, LoadedModel model, string inputPath, int topK, int? explain)
    {
        if (explain is not null) throw new UsageException("--explain reads single texts; this model reads sentence pairs");
        var data = _data.Load(ml, parse, inputPath, withLabel: false);
        var pairs = data.GetColumn<string>("Text").Zip(data.GetColumn<string>("Pair"), (t, p) => (Text: t ?? "", Pair: p ?? ""));
        long row = 0;
        foreach (var chunk in pairs.Chunk(BatchRows))
        {
            foreach (var (pair, score) in chunk.Zip(model.ScorePairs(chunk)))
            {
                var line = new JsonObject { ["row"] = row++, ["text"] = pair.Text, ["pair"] = pair.Pair };
                console.Out.WriteLine(PredictionJson.Add(line, score, model.Classifier, topK).ToJsonString());
            }
        }
        return ExitCodes.Success;
    }

    /// <summary>The k heaviest tokens, heaviest first (ties in text order), each with its position in the text.</summary>
    private static JsonArray MostAttended((string Token, float Weight)[] tokens, int k) => new(
        tokens.Select((t, position) => (t.Token, t.Weight, position)).OrderByDescending(t => t.Weight).ThenBy(t => t.position).Take(k)
            .Select(t => (JsonNode?)new JsonObject { ["token"] = t.Token, ["position"] = t.position, ["weight"] = Math.Round(t.Weight, 6) }).ToArray());

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        string? line;
        while ((line = reader.ReadLine()) is not null) yield return line;
    }
}
