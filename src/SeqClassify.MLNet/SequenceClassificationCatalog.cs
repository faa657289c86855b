using SeqClassify.MLNet.Conversion;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Evaluation;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.MLNet;

/// <summary>One fold of <see cref="SequenceClassificationCatalog.CrossValidate{T}"/>.</summary>
/// <param name="Fold">0-based fold.</param>
/// <param name="Metrics">Metrics on the held-out fold.</param>
/// <param name="Model">The model trained on the other folds.</param>
/// <param name="ScoredHoldOutSet">The held-out fold, scored.</param>
public sealed record CrossValidationResult<T>(int Fold, MulticlassClassificationMetrics Metrics, T Model, IDataView ScoredHoldOutSet)
    where T : class, ITransformer;

/// <summary>Sequence classification: trainers, evaluation and cross-validation.</summary>
public sealed class SequenceClassificationCatalog
{
    private readonly MLContext _context;

    internal SequenceClassificationCatalog(MLContext context)
    {
        _context = context;
        Trainers = new SequenceClassificationTrainers(context);
    }

    /// <summary>The trainers.</summary>
    public SequenceClassificationTrainers Trainers { get; }

    /// <summary>
    /// Scores predictions against a key label column. A row whose label is missing or was never
    /// seen in training (key 0) is refused, naming the row.
    /// </summary>
    public MulticlassClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label",
        string scoreColumnName = "Score", int topK = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        var label = SchemaChecks.Require(data.Schema, labelColumnName, "a key column (MapValueToKey)", t => t is KeyDataViewType);
        var score = SchemaChecks.Require(data.Schema, scoreColumnName, "Vector<Single> class probabilities",
            t => t is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(float));
        int classes = ((KeyDataViewType)label.Type).Count;
        var names = label.KeyValues ?? Enumerable.Range(1, classes).Select(k => k.ToString()).ToArray();
        var labels = new List<int>();
        var probabilities = new List<float>();
        foreach (var row in data.GetRows())
        {
            uint key = row.Values[label.Index] is uint k ? k : 0;
            if (key == 0)
            {
                throw new InvalidOperationException(
                    $"Row {row.Position}: label column '{labelColumnName}' is missing or holds a value never seen in training.");
            }
            var p = row.Values[score.Index] as float[] ?? throw new InvalidOperationException($"Row {row.Position}: column '{scoreColumnName}' is null.");
            if (p.Length != classes)
            {
                throw new InvalidOperationException($"Row {row.Position}: {p.Length} scores for {classes} label classes.");
            }
            labels.Add((int)key - 1);
            probabilities.AddRange(p);
        }
        return MulticlassMetricsCalculator.Compute(labels, probabilities.ToArray(), names, topK);
    }

    /// <summary>
    /// k-fold cross-validation with folds stratified on <paramref name="labelColumnName"/>'s raw values:
    /// fits <paramref name="estimator"/> on k-1 folds and evaluates on the other, k times.
    /// </summary>
    public IReadOnlyList<CrossValidationResult<T>> CrossValidate<T>(IDataView data, IEstimator<T> estimator,
        int numberOfFolds = 5, string labelColumnName = "Label") where T : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(estimator);
        if (numberOfFolds < 2) throw new ArgumentOutOfRangeException(nameof(numberOfFolds), numberOfFolds, "numberOfFolds must be at least 2.");
        var rows = InMemoryDataView.From(data);
        int label = data.Schema[labelColumnName].Index;
        var strata = rows.GetRows().Select(r => r.Values[label] is { } v ? ValueToKeyMappingTransformer.NameOf(v) : "").ToArray();
        var ids = strata.Distinct().Order(StringComparer.Ordinal).Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i);
        var folds = Stratified.Folds(strata.Select(s => ids[s]).ToArray(), numberOfFolds, _context.Seed);
        var all = rows.GetRows().Select(r => r.Values).ToArray();
        var results = new List<CrossValidationResult<T>>();
        for (int f = 0; f < numberOfFolds; f++)
        {
            var held = folds[f].ToHashSet();
            var train = new InMemoryDataView(rows.Schema, Enumerable.Range(0, all.Length).Where(i => !held.Contains(i)).Select(i => all[i]).ToList());
            var test = new InMemoryDataView(rows.Schema, folds[f].Select(i => all[i]).ToList());
            var model = estimator.Fit(train);
            var scored = InMemoryDataView.From(model.Transform(test));
            results.Add(new CrossValidationResult<T>(f, Evaluate(scored, labelColumnName), model, scored));
        }
        return results;
    }
}

/// <summary>The sequence classification trainers.</summary>
public sealed class SequenceClassificationTrainers
{
    private readonly MLContext _context;

    internal SequenceClassificationTrainers(MLContext context) => _context = context;

    /// <summary>
    /// A packed RNN classifier with the library's default configuration, or the settings given.
    /// Input: a key label column and a token-id (or feature-sequence) column.
    /// Output: Score (probabilities) and PredictedLabel (key).
    /// </summary>
    public RnnTrainer Rnn(string labelColumnName = "Label", string featureColumnName = "Ids",
        RnnCellType? cell = null, int? hiddenSize = null, int? epochs = null, int? batchSize = null, double? learningRate = null)
    {
        var options = new RnnTrainerOptions { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName };
        if (cell is { } c) options.Cell = c;
        if (hiddenSize is { } h) options.HiddenSize = h;
        if (epochs is { } e) options.Epochs = e;
        if (batchSize is { } b) options.BatchSize = b;
        if (learningRate is { } lr) options.LearningRate = lr;
        return Rnn(options);
    }

    /// <summary>A packed RNN classifier with full options.</summary>
    public RnnTrainer Rnn(RnnTrainerOptions options) => new(_context, options);
}
