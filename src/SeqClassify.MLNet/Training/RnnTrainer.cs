using System.Diagnostics;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Evaluation;
using SeqClassify.MLNet.Text;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// Trains a packed RNN/GRU/LSTM sequence classifier (the engine in SeqClassify.Torch) on a key
/// label column and a token-id or feature-sequence column.
/// </summary>
public sealed class RnnTrainer : IEstimator<SequenceClassificationTransformer>
{
    private readonly MLContext _context;
    private readonly RnnTrainerOptions _options;
    private readonly IDataView? _validation;

    internal RnnTrainer(MLContext context, RnnTrainerOptions options, IDataView? validation = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _context = context;
        _options = options;
        _validation = validation;
    }

    /// <summary>The options this trainer uses.</summary>
    public RnnTrainerOptions Options => _options;

    /// <summary>Trains with a separate validation set (same columns as the training data).</summary>
    public SequenceClassificationTransformer Fit(IDataView trainData, IDataView validationData) =>
        new RnnTrainer(_context, _options, validationData).Fit(trainData);

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var (_, labels) = CheckColumns(inputSchema);
        return inputSchema.With(
        [
            new DataViewSchema.Column(0, _options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single)),
            new DataViewSchema.Column(0, _options.PredictedLabelColumnName, new KeyDataViewType(labels.Count), labels),
        ]);
    }

    private (DataViewSchema.Column Feature, IReadOnlyList<string> Labels) CheckColumns(DataViewSchema schema)
    {
        var feature = SchemaChecks.Require(schema, _options.FeatureColumnName,
            "Vector<Int64> token ids (MapTokensToIds) or Vector<Vector<Single>> feature sequences",
            t => RnnTrainerOptions.IsTokenColumn(t) || RnnTrainerOptions.IsFeatureSequenceColumn(t));
        var label = SchemaChecks.Require(schema, _options.LabelColumnName, "a key column (MapValueToKey)", t => t is KeyDataViewType);
        var names = label.KeyValues ?? Enumerable.Range(1, ((KeyDataViewType)label.Type).Count).Select(k => k.ToString()).ToArray();
        return (feature, names);
    }

    /// <inheritdoc />
    public SequenceClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (feature, labelNames) = CheckColumns(input.Schema);
        if (labelNames.Count < 2)
        {
            throw new InvalidOperationException($"Label column '{_options.LabelColumnName}' has {labelNames.Count} class(es); at least 2 are needed.");
        }
        int seed = _options.Seed ?? _context.Seed;
        if (_options.Threads > 0)
        {
            TorchRuntime.Threads = _options.Threads;
        }
        var all = Examples.Read(input, _options.FeatureColumnName, _options.LabelColumnName, _options.MaximumTrainingLength);
        if (all.Count == 0)
        {
            throw new InvalidOperationException("The training data has no rows.");
        }
        var (train, validation) = SplitValidation(all, seed);
        var history = new TrainingHistory { TrainingRows = train.Count, ValidationRows = validation?.Count ?? 0 };
        var modelOptions = ModelOptions(feature, labelNames.Count, train, seed, history);
        var model = new SequenceClassifierModel(modelOptions);
        var transformer = new SequenceClassificationTransformer(model, labelNames, _options.FeatureColumnName,
            _options.ScoreColumnName, _options.PredictedLabelColumnName, _options.MaximumTrainingLength, history);
        try
        {
            new TrainingLoop(_context, _options, transformer, train, validation, seed).Run();
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
        return transformer;
    }

    private double AutomaticValidationFraction(int rows)
    {
        if (rows * RnnTrainerOptions.AutomaticValidationFraction < RnnTrainerOptions.MinimumAutomaticValidationRows)
        {
            return 0;
        }
        _context.WriteLog($"holding out {RnnTrainerOptions.AutomaticValidationFraction * 100:0}% of the training rows to keep the best epoch (ValidationFraction = 0 to train on all)");
        return RnnTrainerOptions.AutomaticValidationFraction;
    }

    private (Examples Train, Examples? Validation) SplitValidation(Examples all, int seed)
    {
        if (_validation is not null)
        {
            return (all, Examples.Read(_validation, _options.FeatureColumnName, _options.LabelColumnName, _options.MaximumTrainingLength));
        }
        double fraction = _options.ValidationFraction ?? AutomaticValidationFraction(all.Count);
        if (fraction <= 0)
        {
            return (all, null);
        }
        var (trainRows, validationRows) = Stratified.Split(all.Labels, fraction, seed);
        if (validationRows.Count == 0 || trainRows.Count == 0)
        {
            throw new InvalidOperationException($"ValidationFraction {fraction} leaves no rows on one side of {all.Count}.");
        }
        return (all.Subset(trainRows), all.Subset(validationRows));
    }

    private SequenceModelOptions ModelOptions(DataViewSchema.Column feature, int classes, Examples train, int seed, TrainingHistory history)
    {
        bool tokens = train.Ids is not null;
        int vocabularySize = 0;
        if (tokens)
        {
            long maxId = train.Ids!.Max(ids => ids.Max());
            vocabularySize = feature.KeyValues?.Count ?? (int)maxId + 1;
            if (maxId >= vocabularySize)
            {
                throw new InvalidOperationException($"Column '{feature.Name}' holds id {maxId}, outside its vocabulary of {vocabularySize}.");
            }
        }
        var options = new SequenceModelOptions
        {
            VocabularySize = vocabularySize,
            InputSize = tokens ? _options.EmbeddingDimension : train.FeatureSize,
            HiddenSize = _options.HiddenSize,
            NumLayers = _options.NumLayers,
            Bidirectional = _options.Bidirectional,
            Cell = _options.Cell,
            Pooling = _options.Pooling,
            HeadHiddenSize = _options.HeadHiddenSize,
            NumClasses = classes,
            EmbeddingDropout = _options.EmbeddingDropout,
            RnnDropout = _options.RnnDropout,
            Dropout = _options.Dropout,
            ClassWeights = _options.ClassWeights,
            LabelSmoothing = _options.LabelSmoothing,
            WeightDecay = _options.WeightDecay,
            GradientClipNorm = _options.GradientClipNorm,
            Seed = seed,
        };
        if (PretrainedVectorsFile(feature, tokens) is { } vectorsPath)
        {
            var vectors = PretrainedVectors.Load(vectorsPath, new Vocabulary(feature.KeyValues!), seed);
            options.PretrainedEmbeddings = vectors.Matrix;
            options.InputSize = vectors.Dimension;
            options.FreezeEmbeddings = _options.FreezeEmbeddings;
            history.PretrainedEmbeddings = Path.GetFileName(vectorsPath);
            history.PretrainedCoverage = (double)vectors.Found / (vocabularySize - 2);
            _context.WriteLog($"pretrained vectors {history.PretrainedEmbeddings} ({vectors.Dimension} dimensions) cover {vectors.Found} of {vocabularySize - 2} vocabulary tokens ({history.PretrainedCoverage:P1})");
        }
        return options;
    }

    /// <summary>
    /// The .vec file to start the embedding from: the options' own file, else the named kind's cached
    /// file (fetched if need be); null for none. A named kind is skipped, with a warning, for input
    /// that has no vocabulary to look words up in; a file given outright is refused for it.
    /// </summary>
    private string? PretrainedVectorsFile(DataViewSchema.Column feature, bool tokens)
    {
        bool hasVocabulary = tokens && feature.KeyValues is not null;
        if (_options.PretrainedEmbeddingsPath is { } path)
        {
            return hasVocabulary ? path : throw new InvalidOperationException("Pretrained embeddings need a token-id column with its vocabulary (MapTokensToIds).");
        }
        if (_options.PretrainedEmbeddings == PretrainedModelKind.None) return null;
        if (!hasVocabulary)
        {
            _context.WriteLog($"{_options.PretrainedEmbeddings} vectors not used: column '{feature.Name}' is not token ids with a vocabulary (MapTokensToIds)", LogKind.Warning);
            return null;
        }
        return PretrainedEmbeddingStore.GetPath(_options.PretrainedEmbeddings, m => _context.WriteLog(m), _options.CancellationToken);
    }

    /// <summary>The epochs, batches, validation, early stopping and cancellation of one Fit.</summary>
    private sealed class TrainingLoop(MLContext context, RnnTrainerOptions options, SequenceClassificationTransformer transformer,
        Examples train, Examples? validation, int seed)
    {
        private byte[]? _bestWeights;
        private double _bestAccuracy = double.NegativeInfinity;

        public void Run()
        {
            var history = transformer.History;
            var model = transformer.Model;
            var random = new Random(seed);
            int batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
            int totalSteps = batchesPerEpoch * options.Epochs;
            int step = 0, sinceBest = 0;
            var overall = Stopwatch.StartNew();
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                var batches = BatchPlanner.Plan(train, options.BatchSize, random, options.BucketByLength);
                double lossSum = 0, lr = 0;
                long correct = 0, rows = 0;
                for (int b = 0; b < batches.Count; b++)
                {
                    if (options.CancellationToken.IsCancellationRequested)
                    {
                        Finish(history, cancelled: true);
                        return;
                    }
                    lr = LearningRates.At(step++, totalSteps, options.LearningRate, options.Schedule, options.WarmupFraction);
                    var result = model.TrainStep(train.Batch(batches[b]), train.LabelsOf(batches[b]), lr);
                    lossSum += result.Loss;
                    correct += result.Correct;
                    rows += batches[b].Length;
                    double rate = rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                    double eta = (totalSteps - step) * overall.Elapsed.TotalSeconds / step;
                    Report(new TrainingProgress(epoch, options.Epochs, b + 1, batches.Count, rate, lossSum / (b + 1), eta, null));
                }
                var summary = Summarize(epoch, lossSum / batches.Count, (double)correct / rows, clock, lr);
                history.Epochs.Add(summary);
                context.WriteLog($"epoch {epoch}: loss {summary.TrainLoss:F4}, accuracy {summary.TrainAccuracy:P2}" +
                    (summary.ValidationAccuracy is double va ? $", validation accuracy {va:P2}" : ""), LogKind.Trace);
                Report(new TrainingProgress(epoch, options.Epochs, batches.Count, batches.Count,
                    rows / clock.Elapsed.TotalSeconds, summary.TrainLoss, (totalSteps - step) * overall.Elapsed.TotalSeconds / step, summary));
                if (validation is null)
                {
                    history.BestEpoch = epoch;
                    continue;
                }
                if (summary.ValidationAccuracy > _bestAccuracy)
                {
                    _bestAccuracy = summary.ValidationAccuracy.Value;
                    history.BestEpoch = epoch;
                    _bestWeights = options.RestoreBestEpoch ? model.ExportParameters() : null;
                    sinceBest = 0;
                }
                else if (options.EarlyStoppingPatience > 0 && ++sinceBest >= options.EarlyStoppingPatience)
                {
                    history.StoppedEarly = true;
                    context.WriteLog($"early stopping after epoch {epoch}: no better validation accuracy for {sinceBest} epoch(s); best was epoch {history.BestEpoch}");
                    break;
                }
            }
            Finish(history, cancelled: false);
        }

        private void Report(TrainingProgress progress)
        {
            options.Progress?.Report(progress);
            context.ReportProgress(progress);
        }

        private EpochSummary Summarize(int epoch, double loss, double accuracy, Stopwatch clock, double lr)
        {
            if (validation is null)
            {
                return new EpochSummary(epoch, loss, accuracy, null, null, null, clock.Elapsed.TotalSeconds, lr);
            }
            var metrics = MulticlassMetricsCalculator.Compute(validation.Labels, transformer.PredictProbabilities(validation),
                transformer.LabelNames, topK: 1);
            return new EpochSummary(epoch, loss, accuracy, metrics.MicroAccuracy, metrics.LogLoss, metrics.MacroF1,
                clock.Elapsed.TotalSeconds, lr);
        }

        private void Finish(TrainingHistory history, bool cancelled)
        {
            history.Cancelled = cancelled;
            if (cancelled)
            {
                context.WriteLog(_bestWeights is null
                    ? "training cancelled: keeping the current weights (each step is applied whole)"
                    : $"training cancelled: keeping the best epoch so far ({history.BestEpoch})", LogKind.Warning);
            }
            if (_bestWeights is not null && options.RestoreBestEpoch)
            {
                transformer.Model.ImportParameters(_bestWeights);
            }
        }
    }
}
