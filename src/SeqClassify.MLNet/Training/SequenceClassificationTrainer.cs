using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SeqClassify.MLNet.Text;
using SeqClassify.Torch;
using SeqClassify.Torch.Pretrained;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// Trains a sequence model (the engine in SeqClassify.Torch: a packed RNN, a Transformer or a pretrained
/// encoder, with a head) on a token-id or feature-sequence column, for the task of its network
/// (<see cref="SequenceModelOptions.Task"/>, as Hugging Face's sequence classifiers have a problem_type):
/// one class from a key label column, ML.NET's <c>mlContext.MulticlassClassification.Trainers.SequenceClassification(...)</c>;
/// a set of labels from a vector-of-keys column, <c>mlContext.MulticlassClassification.Trainers.SequenceMultiLabel(...)</c>;
/// or a score from a Single label column, <c>mlContext.Regression.Trainers.SequenceRegression(...)</c>.
/// </summary>
/// <remarks>
/// Messages go to the ML.NET host's channel (<c>mlContext.Log</c>). <c>mlContext.CancelExecution()</c>
/// or <see cref="SequenceClassificationOptions.CancellationToken"/> stop training within one batch; Fit then
/// returns the best model so far (see <see cref="TrainingHistory.Cancelled"/>).
/// </remarks>
public class SequenceClassificationTrainer : IEstimator<SequenceClassificationTransformer>
{
    private readonly IHost _host;
    private readonly SequenceClassificationOptions _options;
    private readonly IDataView? _validation;

    internal SequenceClassificationTrainer(IHostEnvironment env, SequenceClassificationOptions options, IDataView? validation = null)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceClassificationTrainer));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _validation = validation;
    }

    /// <summary>The options this trainer uses.</summary>
    public SequenceClassificationOptions Options => _options;

    /// <summary>Trains with a separate validation set (same columns as the training data).</summary>
    public SequenceClassificationTransformer Fit(IDataView trainData, IDataView validationData) =>
        new SequenceClassificationTrainer(_host, _options, validationData).Fit(trainData);

    private bool IsRegression => _options.Network.Task == SequenceTask.Regression;

    private bool IsMultiLabel => _options.Network.Task == SequenceTask.MultiLabel;

    private const string MultiLabelColumn = "a vector of keys (a multi-label column: MapValueToKey over each row's label names)";

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        FeatureColumn.Require(inputSchema, _options.FeatureColumnName, _options.FeatureSize);
        var columns = inputSchema.ToDictionary(c => c.Name);
        if (IsRegression)
        {
            ColumnChecks.Require(inputSchema, _options.LabelColumnName, RegressionLabel,
                c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType == NumberDataViewType.Single);
            var regressionScore = new SchemaShape(
            [
                new(AnnotationUtils.Kinds.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
                new(AnnotationUtils.Kinds.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            ]);
            columns[_options.ScoreColumnName] = new SchemaShape.Column(_options.ScoreColumnName, SchemaShape.Column.VectorKind.Scalar,
                NumberDataViewType.Single, false, regressionScore);
            return new SchemaShape(columns.Values);
        }
        var label = IsMultiLabel
            ? ColumnChecks.Require(inputSchema, _options.LabelColumnName, MultiLabelColumn, c => c.Kind != SchemaShape.Column.VectorKind.Scalar && c.IsKey)
            : ColumnChecks.Require(inputSchema, _options.LabelColumnName, "a key column (MapValueToKey)", c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.IsKey);
        var scoreAnnotations = new List<SchemaShape.Column>
        {
            new(AnnotationUtils.Kinds.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            new(AnnotationUtils.Kinds.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
        };
        var labelAnnotations = label.Annotations.Where(a => a.Name == AnnotationUtils.Kinds.KeyValues).ToList();
        if (labelAnnotations.Count > 0)
        {
            scoreAnnotations.Add(new(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false));
        }
        columns[_options.ScoreColumnName] = new SchemaShape.Column(_options.ScoreColumnName, SchemaShape.Column.VectorKind.Vector,
            NumberDataViewType.Single, false, new SchemaShape(scoreAnnotations));
        // A multi-label model predicts a set: a variable-length vector of the label keys above their thresholds.
        columns[_options.PredictedLabelColumnName] = new SchemaShape.Column(_options.PredictedLabelColumnName,
            IsMultiLabel ? SchemaShape.Column.VectorKind.VariableVector : SchemaShape.Column.VectorKind.Scalar, label.ItemType, true, new SchemaShape(labelAnnotations));
        return new SchemaShape(columns.Values);
    }

    private const string RegressionLabel = "a Single column of scores (a regression's label)";

    // A regression's "classes" are none: its network has one output, the score.
    private (DataViewSchema.Column Feature, LabelClasses Classes) CheckColumns(DataViewSchema schema)
    {
        var feature = FeatureColumn.Require(schema, _options.FeatureColumnName, _options.FeatureSize);
        if (IsRegression)
        {
            ColumnChecks.Require(schema, _options.LabelColumnName, RegressionLabel, t => t == NumberDataViewType.Single);
            return (feature, LabelClasses.FromNames([]));
        }
        var label = IsMultiLabel
            ? ColumnChecks.Require(schema, _options.LabelColumnName, MultiLabelColumn, t => t is VectorDataViewType { ItemType: KeyDataViewType })
            : ColumnChecks.Require(schema, _options.LabelColumnName, "a key column (MapValueToKey)", t => t is KeyDataViewType);
        return (feature, LabelClasses.FromKeyColumn(label));
    }

    // What the examples are trained towards: the label keys, the label sets, or (regression) the scores.
    private Examples ReadExamples(IDataView data, LabelClasses classes, int maxLength, out int truncated) =>
        IsRegression ? Examples.ReadScores(data, _options.FeatureColumnName, _options.FeatureSize, _options.LabelColumnName, maxLength, out truncated)
        : IsMultiLabel ? Examples.ReadLabelSets(data, _options.FeatureColumnName, _options.FeatureSize, _options.LabelColumnName, classes.Count, maxLength, out truncated)
        : Examples.Read(data, _options.FeatureColumnName, _options.FeatureSize, _options.LabelColumnName, maxLength, out truncated);

    /// <inheritdoc />
    public SequenceClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (feature, classes) = CheckColumns(input.Schema);
        int fewest = IsRegression ? 0 : IsMultiLabel ? 1 : 2;
        if (classes.Count < fewest)
        {
            // A label step fitted on no rows has one class: say what is really wrong.
            using var rows = input.GetRowCursor([]);
            throw new InvalidOperationException(!rows.MoveNext()
                ? "The training data has no rows: the IDataView given to Fit is empty."
                : $"Label column '{_options.LabelColumnName}' has {classes.Count} class(es); at least {fewest} are needed.");
        }
        var parallel = DataParallel.Over(_options.ProcessGroup);
        // As ML.NET's trainers: the context's seed unless the options give one (rank 0's on every rank).
        int seed = parallel.AgreeOnSeed(_options.Seed ?? _host.Rand.Next());
        using var channel = _host.Start("Training");
        if (_options.Threads > 0)
        {
            TorchRuntime.Threads = _options.Threads;
        }
        if (_options.Encoder == SequenceEncoder.Transformer)
        {
            channel.Info($"Transformer: each sequence keeps its first {_options.SequenceLimit} steps at most (MaxPositions {_options.MaxPositions}), in training and prediction");
        }
        var all = ReadExamples(input, classes, _options.TrainingRowLimit, out int cut);
        if (cut > 0 && _options.TrainingRowLimit != _options.SequenceLimit)
        {
            channel.Warning($"{cut:N0} training row(s) longer than {_options.TrainingRowLimit:N0} steps were cut to their first {_options.TrainingRowLimit:N0} " +
                "for training (MaximumRowSteps: a row's steps are all kept in memory for the backward pass); prediction reads whole rows");
        }
        if (all.Count == 0)
        {
            throw new InvalidOperationException("The training data has no rows.");
        }
        if (!IsRegression && !IsMultiLabel) WarnOfSingleRowClasses(all, classes, channel);
        var (train, validation) = SplitValidation(all, classes, seed, channel);
        // A regression trains on standardized scores; the scaling is folded into the head once it has trained.
        var scaling = IsRegression ? TargetScaling.Of(train.Targets!) : TargetScaling.None;
        int outputs = IsRegression ? 1 : classes.Count;
        var vocabulary = Vocabulary.Of(feature);
        parallel.CheckSameData(train, validation, vocabulary, classes);
        var history = new TrainingHistory
        {
            TrainingRows = train.Count, ValidationRows = validation?.Count ?? 0, Ranks = parallel.Ranks,
            Settings = new TrainingSettings(_options.Epochs, _options.BatchSize, _options.LearningRate, _options.Schedule, _options.WarmupFraction,
                _options.EarlyStoppingPatience, _options.RestoreBestEpoch, (float[]?)_options.ClassWeights?.Clone(), _options.MaximumBatchTokens, seed,
                _options.GradientAccumulationSteps, _options.DecisionThreshold),
        };
        var model = _options.PretrainedModel is { } folder
            ? PretrainedModel(folder, feature.Name, outputs, train, seed, history, channel)
            : new SequenceClassifierModel(ModelOptions(feature.Name, vocabulary, outputs, train, seed, history, channel));
        if (IsMultiLabel && _options.PretrainedModel is not null) StartAtTheLabelPriors(model, train, channel);
        var windows = WindowsOf(model, channel);
        train = train.WithWindows(windows);
        validation = validation?.WithWindows(windows);
        var transformer = new SequenceClassificationTransformer(_host, model, classes, _options, history) { Windows = windows };
        try
        {
            if (parallel.Group is { } group)
            {
                model.JoinProcessGroup(group);
                channel.Info($"rank {group.Rank} of {group.WorldSize}: each step trains on {group.WorldSize} x {_options.BatchSize} rows, this rank on its share");
            }
            new TrainingLoop(_host, channel, _options, transformer, train, validation, seed, parallel, scaling).Run();
            FoldScaling(model, scaling);
            if (IsMultiLabel) transformer.Thresholds = Thresholds(transformer, validation, parallel, channel);
        }
        catch (TrainingDivergedException e) when (e.Model is not null)
        {
            FoldScaling(model, scaling);
            throw;  // the exception hands the transformer to the caller
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
        finally
        {
            // The batches' cached buffers served training; prediction would otherwise stack its own on them.
            TorchRuntime.ReleaseCachedMemory();
        }
        return transformer;
    }

    // A new multi-label head over a pretrained encoder starts at each label's frequency in the training rows (its bias
    // the frequency's logit, as detection heads do: Lin et al. 2017): at fine-tuning's learning rates a bias moves
    // about lr a step, so a head that starts at 0.5 for every label spends its first thousands of steps learning that
    // most labels are absent from most rows (GoEmotions: 28 labels, 1.2 a row).
    private static void StartAtTheLabelPriors(SequenceClassifierModel model, Examples train, IChannel channel)
    {
        int labels = train.TargetWidth;
        var rows = new double[labels];
        for (int r = 0; r < train.Count; r++)
        {
            for (int l = 0; l < labels; l++) rows[l] += train.Targets![r * labels + l];
        }
        var bias = rows.Select(count =>
        {
            double p = Math.Clamp(count / train.Count, 1e-4, 1 - 1e-4);
            return (float)Math.Log(p / (1 - p));
        }).ToArray();
        var tensors = TensorArchive.Read(model.ExportParameters()).ToList();
        int at = tensors.FindIndex(t => t.Name == "fc.bias");
        tensors[at] = tensors[at] with { Floats = bias };
        model.ImportParameters(TensorArchive.Write(tensors));
        channel.Info($"the new head starts at each label's frequency in the {train.Count:N0} training rows (from {rows.Min() / train.Count:P1} to {rows.Max() / train.Count:P1})");
    }

    // A Transformer's (or pretrained encoder's) windows: of its positions (MaximumTrainingLength where lower), every WindowStride ids.
    private Windows? WindowsOf(SequenceClassifierModel model, IChannel channel)
    {
        if (_options.WindowStride == 0) return null;
        int length = model.Options.MaxPositions;
        if (_options.MaximumTrainingLength > 0) length = Math.Min(length, _options.MaximumTrainingLength);
        bool keepEnds = _options.PretrainedModel is not null;
        int most = length - (keepEnds ? 2 : 0);
        if (_options.WindowStride > most)
        {
            throw new ArgumentOutOfRangeException(nameof(_options.WindowStride), _options.WindowStride,
                $"WindowStride {_options.WindowStride} would skip ids between windows of {length} ids{(keepEnds ? " ([CLS] and [SEP] included)" : "")}: give at most {most}.");
        }
        channel.Info($"texts longer than {length} ids are read in windows of {length} every {_options.WindowStride} ids, their outputs pooled by {model.Options.WindowPooling}");
        return new Windows(length, _options.WindowStride, keepEnds);
    }

    // The network then outputs the scores themselves (TargetScaling): saved, exported and served as it is.
    private static void FoldScaling(SequenceClassifierModel model, TargetScaling scaling)
    {
        if (scaling != TargetScaling.None) model.ImportParameters(scaling.FoldInto(model.ExportParameters()));
    }

    private static double AutomaticValidationFraction(int rows) =>
        rows * SequenceClassificationOptions.AutomaticValidationFraction < SequenceClassificationOptions.MinimumAutomaticValidationRows ? 0 : SequenceClassificationOptions.AutomaticValidationFraction;

    /// <summary>
    /// A multi-label model's decision thresholds: <see cref="SequenceClassificationOptions.DecisionThreshold"/> for
    /// every label when it is set; else each label's threshold that maximizes its F1 on the validation rows
    /// (so macro-F1), or 0.5 without validation rows, as Hugging Face's examples decide.
    /// </summary>
    private float[] Thresholds(SequenceClassificationTransformer transformer, Examples? validation, DataParallel parallel, IChannel channel)
    {
        int labels = transformer.LabelNames.Count;
        if (_options.DecisionThreshold is double fixedThreshold) return Enumerable.Repeat((float)fixedThreshold, labels).ToArray();
        if (validation is null)
        {
            channel.Info("no validation rows: every label is predicted from probability 0.5 (DecisionThreshold, or validation rows, to choose)");
            return Enumerable.Repeat(0.5f, labels).ToArray();
        }
        var probabilities = parallel.ScoreAll(validation, labels, transformer.PredictProbabilities);
        var thresholds = Evaluation.MultiLabelMetrics.BestThresholds(validation.Targets!, probabilities, labels);
        channel.Info($"decision thresholds chosen per label on the {validation.Count:N0} validation rows (macro-F1): from {thresholds.Min():F3} to {thresholds.Max():F3}");
        return thresholds;
    }

    private (Examples Train, Examples? Validation) SplitValidation(Examples all, LabelClasses classes, int seed, IChannel channel)
    {
        if (_validation is not null)
        {
            CheckColumns(_validation.Schema);
            return (all, ReadExamples(_validation, classes, _options.SequenceLimit, out _));
        }
        double fraction = _options.ValidationFraction ?? AutomaticValidationFraction(all.Count);
        if (fraction <= 0)
        {
            return (all, null);
        }
        var (trainRows, validationRows) = Stratified.Split(all.Labels, fraction, seed);
        if (validationRows.Count == 0 || trainRows.Count == 0)
        {
            int strata = all.Labels.Distinct().Count();
            if (_options.ValidationFraction is null)
            {
                // The automatic split is a convenience: when it cannot hold rows out, train on all of them.
                channel.Info($"no automatic validation split: holding out {fraction * 100:0}% per label leaves no rows with {strata} labels over {all.Count} rows; training on all rows");
                return (all, null);
            }
            throw new InvalidOperationException(
                $"ValidationFraction {fraction} leaves no rows on the {(validationRows.Count == 0 ? "validation" : "training")} side: the split is " +
                $"stratified by label, and {all.Count} rows over {strata} labels are too few per label; raise it, or set 0 to train on all rows.");
        }
        if (_options.ValidationFraction is null)
        {
            channel.Info($"holding out {fraction * 100:0}% of the training rows to keep the best epoch (ValidationFraction = 0 to train on all)");
        }
        return (all.Subset(trainRows), all.Subset(validationRows));
    }

    /// <summary>
    /// The network's options. <paramref name="vocabulary"/> is the ids column's vocabulary, read once from
    /// its annotation (null if none): it sizes the embedding and looks up pretrained vectors.
    /// </summary>
    private SequenceModelOptions ModelOptions(string featureName, Vocabulary? vocabulary, int classes, Examples train, int seed, TrainingHistory history, IChannel channel)
    {
        bool tokens = train.Ids is not null;
        int vocabularySize = 0;
        if (tokens)
        {
            long maxId = train.Ids!.Max(ids => ids.Max());
            vocabularySize = vocabulary?.Count ?? (int)maxId + 1;
            if (maxId >= vocabularySize)
            {
                throw new InvalidOperationException($"Column '{featureName}' holds id {maxId}, outside its vocabulary of {vocabularySize}.");
            }
            // Ids 0 and 1 are <pad> and <unk>: a model would learn nothing but the class balance.
            if (maxId <= 1)
            {
                throw new InvalidOperationException($"Column '{featureName}' holds no known token in any of the {train.Count} training rows " +
                    "(every id is <unk>): the texts are empty, or no token reached the vocabulary's minimum frequency.");
            }
        }
        var options = _options.Architecture(classes, seed);
        options.VocabularySize = vocabularySize;
        options.InputSize = tokens ? _options.EmbeddingDimension : train.FeatureSize;
        var usableVocabulary = tokens ? vocabulary : null;
        if (PretrainedVectorsFile(featureName, usableVocabulary is not null, channel) is { } vectorsPath)
        {
            var vectors = PretrainedVectors.Load(vectorsPath, usableVocabulary!, seed);
            options.PretrainedEmbeddings = vectors.Matrix;
            options.InputSize = vectors.Dimension;
            options.FreezeEmbeddings = _options.FreezeEmbeddings;
            history.PretrainedEmbeddings = Path.GetFileName(vectorsPath);
            history.PretrainedCoverage = (double)vectors.Found / (vocabularySize - 2);
            channel.Info($"pretrained vectors {history.PretrainedEmbeddings} ({vectors.Dimension} dimensions) cover {vectors.Found} of {vocabularySize - 2} vocabulary tokens ({history.PretrainedCoverage:P1})");
        }
        return options;
    }

    /// <summary>A classifier over the pretrained encoder in <paramref name="folder"/>, its weights loaded.</summary>
    private SequenceClassifierModel PretrainedModel(string folder, string featureName, int classes, Examples train, int seed,
        TrainingHistory history, IChannel channel)
    {
        var model = LoadPretrained(folder, featureName, classes, train, seed, history, channel);
        // The folder's weights and the buffer they were imported through (two copies of the model) are
        // garbage now; collected before training allocates the optimiser's state, they do not add to the peak.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return model;
    }

    // The folder's weights are held here only until the model has them.
    private SequenceClassifierModel LoadPretrained(string folder, string featureName, int classes, Examples train, int seed,
        TrainingHistory history, IChannel channel)
    {
        var encoder = PretrainedTransformer.Load(folder);
        return encoder.CreateClassifier(PretrainedModelOptions(encoder, featureName, classes, train, seed, history, channel));
    }

    /// <summary>
    /// A pretrained encoder's architecture (<see cref="SequenceClassificationOptions.PretrainedModel"/>) with what these
    /// options say of the rest: the pooling, the head, dropout before it, the loss and the optimiser.
    /// </summary>
    private SequenceModelOptions PretrainedModelOptions(PretrainedTransformer encoder, string featureName, int classes, Examples train, int seed,
        TrainingHistory history, IChannel channel)
    {
        if (train.Ids is null)
        {
            throw new InvalidOperationException($"Column '{featureName}' holds feature vectors; a pretrained encoder reads its own token ids (TokenizeForPretrained).");
        }
        // The trainer's options (pooling, head, loss, optimiser, seed) with the folder's encoder over them.
        var options = encoder.ClassifierOptions(_options.Architecture(classes, seed), classes);
        long maxId = train.Ids.Max(ids => ids.Length == 0 ? 0 : ids.Max());
        if (maxId >= options.VocabularySize)
        {
            throw new InvalidOperationException($"Column '{featureName}' holds id {maxId}, outside the {options.VocabularySize} of the pretrained vocabulary in " +
                $"'{encoder.Folder}': tokenize with TokenizeForPretrained and the same folder.");
        }
        history.PretrainedEmbeddings = Path.GetFileName(Path.GetFullPath(encoder.Folder).TrimEnd(Path.DirectorySeparatorChar));
        channel.Info($"pretrained encoder {history.PretrainedEmbeddings}: {options.NumLayers} layers, width {options.HiddenSize}, {options.Heads} heads, " +
            $"vocabulary {options.VocabularySize:N0}, {options.Pooling} pooling into a new {classes}-class head");
        return options;
    }

    /// <summary>
    /// The .vec file to start the embedding from: the options' own file, else the named kind's cached
    /// file (fetched if need be); null for none. A named kind is skipped, with a warning, for input
    /// that has no vocabulary to look words up in; a file given outright is refused for it.
    /// </summary>
    private string? PretrainedVectorsFile(string featureName, bool hasVocabulary, IChannel channel)
    {
        if (_options.PretrainedEmbeddingsPath is { } path)
        {
            return hasVocabulary ? path : throw new InvalidOperationException("Pretrained embeddings need a token-id column with its vocabulary (MapTokensToIds).");
        }
        if (_options.PretrainedEmbeddings == PretrainedModelKind.None) return null;
        if (!hasVocabulary)
        {
            channel.Warning($"{_options.PretrainedEmbeddings} vectors not used: column '{featureName}' is not token ids with a vocabulary (MapTokensToIds)");
            return null;
        }
        return PretrainedEmbeddingStore.GetPath(_options.PretrainedEmbeddings, m => channel.Info(m), _options.CancellationToken);
    }

    // A class seen in one row cannot be learned, nor held out for validation: often a sign that the
    // label column is not the label (an id, a text). Said once, with the count and an example.
    private static void WarnOfSingleRowClasses(Examples all, LabelClasses classes, IChannel channel)
    {
        var rows = new int[classes.Count];
        foreach (int label in all.Labels) rows[label]++;
        var single = Enumerable.Range(0, classes.Count).Where(c => rows[c] == 1).ToList();
        if (single.Count == 0) return;
        channel.Warning($"{single.Count:N0} of {classes.Count:N0} classes have a single training row (e.g. '{classes.Names[single[0]]}'): " +
            "such a class cannot be learned; is the label column the right one?");
    }

    /// <summary>The epochs, batches, validation, early stopping and cancellation of one Fit.</summary>
    private sealed class TrainingLoop(IHost host, IChannel channel, SequenceClassificationOptions options, SequenceClassificationTransformer transformer,
        Examples train, Examples? validation, int seed, DataParallel parallel, TargetScaling scaling)
    {
        private byte[]? _bestWeights;
        private int _bestStep;
        // The best epoch's validation figure, higher being better: accuracy, or a regression's negated RMSE.
        private double _bestQuality = double.NegativeInfinity;
        // The weights at the ends of the last two epochs, and the step each ended at, to fall back on when
        // training diverges. A step's loss is measured before its update, so weights are known good only
        // once the next step's loss is finite: when step s is the first non-finite one, the weights after
        // step s - 1 are not.
        private readonly List<(int Epoch, int Step, byte[] Weights)> _epochEnds = [];

        public void Run()
        {
            var history = transformer.History;
            var model = transformer.Model;
            var random = new Random(seed);
            // Every rank plans the same global batches (ranks x BatchSize rows; the token budget per rank) and trains on its shard of each.
            int batchSize = parallel.GlobalBatchSize(options.BatchSize);
            int tokenBudget = (int)Math.Min(int.MaxValue, (long)options.MaximumBatchTokens * parallel.Ranks);
            int replicaCheckInterval = parallel.Group?.Options.ReplicaCheckInterval ?? 0;
            double communicationAtStart = parallel.Group?.Statistics.Seconds ?? 0;
            int batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
            // With accumulation a step takes this many batches (the epoch's last step those left).
            int accumulate = options.GradientAccumulationSteps;
            int totalSteps = (batchesPerEpoch + accumulate - 1) / accumulate * options.Epochs;
            int step = 0, sinceBest = 0;
            var overall = Stopwatch.StartNew();
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                var batches = BatchPlanner.Plan(train, batchSize, random, options.BucketByLength, tokenBudget);
                double lossSum = 0, lr = 0;
                long correct = 0, rows = 0;
                int steps = 0;
                for (int b = 0; b < batches.Count; b += accumulate)
                {
                    if (parallel.ShouldStop(options.CancellationToken.IsCancellationRequested || host is ICancelable { IsCanceled: true }, step))
                    {
                        Finish(history, step, communicationAtStart, cancelled: true);
                        return;
                    }
                    lr = LearningRates.At(step++, totalSteps, options.LearningRate, options.Schedule, options.WarmupFraction);
                    TrainStepResult result;
                    if (accumulate == 1)
                    {
                        var shard = parallel.ShardOf(batches[b]);
                        result = shard.Length == 0 ? model.TrainStepWithoutRows(lr)
                            : train.Targets is null ? model.TrainStep(train.Batch(shard), train.LabelsOf(shard), lr)
                            : model.TrainStep(train.Batch(shard), train.TargetsOf(shard, scaling), lr);
                    }
                    else
                    {
                        // This rank's shards of the step's global batches (none at all still takes part in a group).
                        var shards = batches.Skip(b).Take(accumulate).Select(parallel.ShardOf).Where(shard => shard.Length > 0).ToList();
                        var inputs = shards.Select(train.Batch).ToList();
                        result = train.Targets is null ? model.TrainStepAccumulated(inputs, shards.Select(train.LabelsOf).ToList(), lr)
                            : model.TrainStepAccumulated(inputs, shards.Select(shard => train.TargetsOf(shard, scaling)).ToList(), lr);
                    }
                    steps++;
                    // The loss is every rank's together: all ranks stop here alike.
                    if (!double.IsFinite(result.Loss)) Diverged(history, step, epoch, b + 1, lr, result.Loss, communicationAtStart);
                    if (replicaCheckInterval > 0 && step % replicaCheckInterval == 0) parallel.CheckReplicas(model, step);
                    lossSum += result.Loss;
                    correct += result.Correct;
                    rows += result.Rows;
                    double rate = rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                    double eta = (totalSteps - step) * overall.Elapsed.TotalSeconds / step;
                    Report(new TrainingProgress(epoch, options.Epochs, Math.Min(b + accumulate, batches.Count), batches.Count, rate, lossSum / steps, eta, null));
                }
                var summary = Summarize(epoch, lossSum / Math.Max(steps, 1), (double)correct / rows, clock, lr);
                history.Epochs.Add(summary);
                _epochEnds.Add((epoch, step, model.ExportParameters()));
                if (_epochEnds.Count > 2) _epochEnds.RemoveAt(0);
                channel.Trace($"epoch {epoch}: loss {summary.TrainLoss:F4}" + (train.Targets is null ? $", accuracy {summary.TrainAccuracy:P2}" : "") +
                    (summary.ValidationAccuracy is double va ? $", validation accuracy {va:P2}" : "") +
                    (summary.ValidationRmse is double rmse ? $", validation RMSE {rmse:G4}, Pearson {summary.ValidationPearson:F4}" : ""));
                Report(new TrainingProgress(epoch, options.Epochs, batches.Count, batches.Count,
                    rows / clock.Elapsed.TotalSeconds, summary.TrainLoss, (totalSteps - step) * overall.Elapsed.TotalSeconds / step, summary));
                if (validation is null)
                {
                    history.BestEpoch = epoch;
                    continue;
                }
                double quality = Quality(summary);
                if (quality > _bestQuality)
                {
                    _bestQuality = quality;
                    history.BestEpoch = epoch;
                    // The epoch end's copy, taken above: the weights are exported once per epoch.
                    _bestWeights = options.RestoreBestEpoch ? _epochEnds[^1].Weights : null;
                    _bestStep = step;
                    sinceBest = 0;
                }
                else if (options.EarlyStoppingPatience > 0 && ++sinceBest >= options.EarlyStoppingPatience)
                {
                    history.StoppedEarly = true;
                    channel.Info($"early stopping after epoch {epoch}: no better validation {QualityName} for {sinceBest} epoch(s); best was epoch {history.BestEpoch}");
                    break;
                }
            }
            Finish(history, step, communicationAtStart, cancelled: false);
        }

        private void Report(TrainingProgress progress) => options.Progress?.Report(progress);

        // What keeps the best epoch, higher being better: accuracy; a multi-label model's macro-F1 (at the
        // thresholds best for it); a regression's RMSE, negated.
        private double Quality(EpochSummary summary) => options.Network.Task switch
        {
            SequenceTask.Regression => -summary.ValidationRmse!.Value,
            SequenceTask.MultiLabel => summary.ValidationMacroF1!.Value,
            _ => summary.ValidationAccuracy!.Value,
        };

        private string QualityName => options.Network.Task switch
        {
            SequenceTask.Regression => "RMSE",
            SequenceTask.MultiLabel => "macro-F1",
            _ => "accuracy",
        };

        // Restores the best (or last) whole epoch's weights, if one ended, and throws.
        private void Diverged(TrainingHistory history, int step, int epoch, int batch, double lr, double loss, double communicationAtStart)
        {
            history.Steps = step;
            SequenceClassificationTransformer? kept = null;
            // The best epoch's weights if they are known good, else the last known-good epoch end's.
            byte[]? weights = _bestWeights is not null && _bestStep <= step - 2 ? _bestWeights : null;
            if (weights is null && _epochEnds.LastOrDefault(e => e.Step <= step - 2) is { Weights: not null } good)
            {
                weights = good.Weights;
                history.BestEpoch = good.Epoch;
            }
            if (weights is not null)
            {
                transformer.Model.ImportParameters(weights);
                if (parallel.Group is { } group) history.CommunicationSeconds = group.Statistics.Seconds - communicationAtStart;
                kept = transformer;
            }
            var error = new TrainingDivergedException(step, epoch, batch, lr, loss, kept);
            channel.Error(error.Message);
            throw error;
        }

        private EpochSummary Summarize(int epoch, double loss, double accuracy, Stopwatch clock, double lr)
        {
            if (validation is null)
            {
                return new EpochSummary(epoch, loss, accuracy, null, null, null, clock.Elapsed.TotalSeconds, lr);
            }
            if (options.Network.Task == SequenceTask.MultiLabel)
            {
                // Each epoch at the thresholds best for it, as the kept model will be.
                int labels = transformer.LabelNames.Count;
                var probabilities = parallel.ScoreAll(validation, labels, transformer.PredictProbabilities);
                var thresholds = Evaluation.MultiLabelMetrics.BestThresholds(validation.Targets!, probabilities, labels);
                var m = Evaluation.MultiLabelMetrics.Compute(validation.Targets!, probabilities, transformer.LabelNames, thresholds);
                return new EpochSummary(epoch, loss, accuracy, null, null, m.MacroF1, clock.Elapsed.TotalSeconds, lr, ValidationMicroF1: m.MicroF1);
            }
            if (validation.Targets is { } gold)
            {
                // In the scores' own units: the network's outputs restored from the standardized ones it learns.
                var predicted = parallel.ScoreAll(validation, 1, transformer.PredictProbabilities).Select(scaling.Restore).ToArray();
                var (rmse, pearson) = ValidationMetrics.Regression(gold, predicted);
                return new EpochSummary(epoch, loss, 0, null, null, null, clock.Elapsed.TotalSeconds, lr, rmse, pearson);
            }
            int classes = transformer.LabelNames.Count;
            var metrics = ValidationMetrics.Compute(validation.Labels, parallel.ScoreAll(validation, classes, transformer.PredictProbabilities), classes);
            return new EpochSummary(epoch, loss, accuracy, metrics.MicroAccuracy, metrics.LogLoss, metrics.MacroF1,
                clock.Elapsed.TotalSeconds, lr);
        }

        private void Finish(TrainingHistory history, int steps, double communicationAtStart, bool cancelled)
        {
            history.Cancelled = cancelled;
            history.Steps = steps;
            if (cancelled)
            {
                channel.Warning(_bestWeights is null
                    ? "training cancelled: keeping the current weights (each step is applied whole)"
                    : $"training cancelled: keeping the best epoch so far ({history.BestEpoch})");
            }
            if (_bestWeights is not null && options.RestoreBestEpoch)
            {
                transformer.Model.ImportParameters(_bestWeights);
            }
            if (parallel.Group is { } group)
            {
                parallel.CheckReplicas(transformer.Model, steps);
                history.CommunicationSeconds = group.Statistics.Seconds - communicationAtStart;
                channel.Info($"rank {group.Rank}: {history.CommunicationSeconds * 1000 / Math.Max(steps, 1):F2} ms per step in collectives over {steps} steps");
            }
        }
    }
}
