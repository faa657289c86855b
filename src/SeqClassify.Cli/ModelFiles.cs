using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.Cli;

/// <summary>An ML.NET model .zip as the commands use it: the chain, its classifier step and a description.</summary>
internal sealed record LoadedModel(MLContext Context, ITransformer Chain, SequenceClassificationTransformer Classifier, JsonObject Description)
{
    /// <summary>Whether the model scores (a regression: one Single Score) rather than classifies.</summary>
    public bool IsRegression => Classifier.ModelOptions.Task == SequenceTask.Regression;

    /// <summary>Whether the model reads sentence pairs: a Pair column beside Text (train --pair-column).</summary>
    public bool ReadsPairs => (Chain as IEnumerable<ITransformer> ?? [Chain]).OfType<PretrainedTokenizingTransformer>().Any(t => t.PairColumnName is not null);

    /// <summary>
    /// Refuses input of the other kind: sentence pairs (<paramref name="pairs"/>) for a single-text model, single
    /// texts for a pair model (then <paramref name="howToGivePairs"/> says what the command takes).
    /// </summary>
    public void RequireInput(string path, bool pairs, string howToGivePairs)
    {
        if (ReadsPairs == pairs) return;
        throw new UsageException(ReadsPairs ? $"model '{path}' reads sentence pairs: {howToGivePairs}"
            : $"model '{path}' reads single texts: --pair-column does not apply");
    }

    /// <summary>Class probabilities (a regression: its score, alone) for each sentence pair, in order (a model that <see cref="ReadsPairs"/>).</summary>
    public IReadOnlyList<float[]> ScorePairs(IReadOnlyList<(string Text, string Pair)> pairs) =>
        Scores(Context.Data.LoadFromEnumerable(pairs.Select(p => new CliPairRow { Text = p.Text, Pair = p.Pair }).ToList()));

    /// <summary>Class probabilities (a regression: its score, alone) for each text, in order.</summary>
    public IReadOnlyList<float[]> Score(IReadOnlyList<string> texts) =>
        Scores(Context.Data.LoadFromEnumerable(texts.Select(t => new CliRow { Text = t })));

    // A regression's Score column is one Single, a classifier's a vector of probabilities.
    private List<float[]> Scores(IDataView view)
    {
        var scored = Chain.Transform(view);
        return IsRegression
            ? scored.GetColumn<float>(Classifier.ScoreColumnName).Select(score => new[] { score }).ToList()
            : scored.GetColumn<float[]>(Classifier.ScoreColumnName).ToList();
    }

    /// <summary>
    /// For a model pooled by attention: each text's tokens as the network saw them (after truncation;
    /// a word outside the vocabulary reads &lt;unk&gt;) with their attention weights, in text order.
    /// (Callers check <see cref="SequenceClassificationTransformer.HasAttentionWeights"/> first.)
    /// </summary>
    public IReadOnlyList<(string Token, float Weight)[]> Attention(IReadOnlyList<string> texts)
    {
        var scored = ScoreForEvaluation(Context.Data.LoadFromEnumerable(texts.Select(t => new CliRow { Text = t })));
        var vocabulary = Vocabulary.Of(scored.Schema[Classifier.FeatureColumnName])
            ?? throw new InvalidDataException($"the model's '{Classifier.FeatureColumnName}' column carries no vocabulary to name its tokens");
        var ids = scored.GetColumn<long[]>(Classifier.FeatureColumnName);
        var weights = scored.GetColumn<float[]>(SequenceClassificationTransformer.AttentionWeightsColumnName);
        return ids.Zip(weights, (row, w) => w.Select((weight, i) => (vocabulary.Tokens[(int)row[i]], weight)).ToArray()).ToList();
    }

    /// <summary>
    /// The data scored up to the classifier step: PredictedLabel still a key, as ML.NET's evaluator
    /// needs it (the CLI's pipeline maps it back to the label's text after that step).
    /// </summary>
    public IDataView ScoreForEvaluation(IDataView data) => ScoreForEvaluation(Chain, data);

    /// <summary>The same for a fitted chain that is not loaded from a file (train --test).</summary>
    public static IDataView ScoreForEvaluation(ITransformer chain, IDataView data)
    {
        foreach (var step in chain as IEnumerable<ITransformer> ?? [chain])
        {
            data = step.Transform(data);
            if (step is SequenceClassificationTransformer) break;
        }
        return data;
    }

    public static LoadedModel Load(MLContext ml, string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file '{path}' does not exist", path);
        }
        ITransformer chain;
        DataViewSchema inputSchema;
        try
        {
            chain = ml.Model.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ML.NET's message alone ("Failed to open a zip archive") does not say which file.
            var messages = new List<string>();
            for (var inner = e; inner is not null; inner = inner.InnerException)
            {
                // Reflection's wrapper ("Exception has been thrown by the target of an invocation") says nothing.
                if (inner is not System.Reflection.TargetInvocationException) messages.Add(inner.Message);
            }
            string damage = MissingModelKeys(path) is { Count: > 0 } missing
                ? $" ({string.Join(", ", missing.Select(d => $"'{d}' has no Model.key"))}: an entry was renamed or removed)"
                : "";
            throw new InvalidDataException($"model '{path}' cannot be loaded: {string.Join(": ", messages.Distinct())}{damage}", e);
        }
        if (inputSchema.GetColumnOrNull("Text") is null)
        {
            throw new InvalidDataException($"model '{path}' does not read a 'Text' column; the CLI serves text models");
        }
        var steps = chain as IEnumerable<ITransformer> ?? [chain];
        var classifier = steps.OfType<SequenceClassificationTransformer>().SingleOrDefault()
            ?? throw new InvalidDataException($"model '{path}' has no SeqClassify sequence-classifier step");
        return new LoadedModel(ml, chain, classifier, Describe(steps, inputSchema, classifier));
    }

    // ML.NET says "Corrupt model file" when a step's Model.key is missing, naming none: the folders of
    // the chain that hold entries but no Model.key say which.
    private static List<string> MissingModelKeys(string path)
    {
        try
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            return names.Where(n => n.StartsWith("TransformerChain/", StringComparison.Ordinal))
                .Select(n => n[..(n.LastIndexOf('/') + 1)]).Distinct()
                .Where(folder => !names.Contains(folder + "Model.key")).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The model's description, which `info`, the report and the server's GET /model show: versions, input, steps, network, history.</summary>
    private static JsonObject Describe(IEnumerable<ITransformer> steps, DataViewSchema input, SequenceClassificationTransformer classifier)
    {
        var network = classifier.ModelOptions.Clone();
        network.PretrainedEmbeddings = null;
        return new JsonObject
        {
            ["format"] = "ML.NET model (Microsoft.ML " + typeof(MLContext).Assembly.GetName().Version + ")",
            ["seqClassifyVersion"] = typeof(SequenceClassificationTransformer).Assembly.GetName().Version?.ToString(),
            ["engineVersion"] = TorchRuntime.EngineVersion,
            ["inputSchema"] = new JsonArray(input.Select(c => (JsonNode?)new JsonObject { ["name"] = c.Name, ["type"] = c.Type.ToString() }).ToArray()),
            ["steps"] = new JsonArray(steps.Select(s => (JsonNode?)DescribeStep(s)).ToArray()),
            ["labels"] = new JsonArray(classifier.LabelNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            ["network"] = JsonSerializer.SerializeToNode(network, Json),
            ["parameterCount"] = classifier.ParameterCount,
            ["history"] = JsonSerializer.SerializeToNode(classifier.History, Json),
        };
    }

    private static JsonObject DescribeStep(ITransformer step)
    {
        var options = step switch
        {
            TokenToIdMappingTransformer ids => JsonSerializer.SerializeToNode(ids.Options, Json)!.AsObject(),
            TokenizingTransformer tokens => new JsonObject { ["rule"] = tokens.Rule.ToString(), ["pattern"] = tokens.Pattern },
            SequenceClassificationTransformer rnn => new JsonObject
            {
                ["featureColumnName"] = rnn.FeatureColumnName, ["maximumLength"] = rnn.MaximumLength, ["vocabularySize"] = rnn.ModelOptions.VocabularySize,
            },
            _ => new JsonObject(),
        };
        if (step is TokenToIdMappingTransformer vocabulary) options["vocabularySize"] = vocabulary.Vocabulary.Count;
        return new JsonObject { ["kind"] = step.GetType().Name, ["options"] = options };
    }
}
