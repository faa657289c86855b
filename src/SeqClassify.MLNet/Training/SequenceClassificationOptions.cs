using Microsoft.ML;
using Microsoft.ML.Data;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Training;

/// <summary>How the learning rate moves over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate for every step (after warm-up).</summary>
    Constant,
    /// <summary>Linear decay to zero by the last step (after warm-up).</summary>
    LinearDecay,
    /// <summary>Cosine decay to zero by the last step (after warm-up).</summary>
    Cosine,
}

/// <summary>
/// Everything <see cref="SequenceClassificationTrainer"/> can be told: the model, the optimiser, the schedule,
/// validation and early stopping. The defaults are the library's default configuration
/// (bench/results documents how it was chosen).
/// </summary>
public class SequenceClassificationOptions
{
    /// <summary>Label column: a key (from MapValueToKey); for a regression (<see cref="SequenceModelOptions.Task"/>), a Single score.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// Input column: token ids (variable-length Vector&lt;Int64&gt;, from MapTokensToIds), or, with
    /// <see cref="FeatureSize"/> set, sequences of feature vectors flattened into a variable-length
    /// Vector&lt;Single&gt; (step after step, <see cref="FeatureSize"/> values each).
    /// </summary>
    public string FeatureColumnName { get; set; } = "Ids";

    /// <summary>
    /// Values per step of a feature-sequence input (steps = vector length / FeatureSize); 0, the
    /// default, means the input is token ids.
    /// </summary>
    public int FeatureSize { get; set; }

    /// <summary>Output column of class probabilities (Vector&lt;Single&gt;), or of a regression's score (Single).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output column of the predicted key (a regression has none).</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>A recurrent network (the default) or a Transformer encoder (then <see cref="HiddenSize"/> is its width and <see cref="NumLayers"/> its layers).</summary>
    public SequenceEncoder Encoder { get => Network.Encoder; set => Network.Encoder = value; }

    /// <summary>The recurrent cell.</summary>
    public RnnCellType Cell { get => Network.Cell; set => Network.Cell = value; }

    /// <summary>Transformer: attention heads per layer; divides <see cref="HiddenSize"/>.</summary>
    public int Heads { get => Network.Heads; set => Network.Heads = value; }

    /// <summary>Transformer: inner width of each layer's feed-forward block.</summary>
    public int FeedForwardSize { get => Network.FeedForwardSize; set => Network.FeedForwardSize = value; }

    /// <summary>
    /// Transformer: the longest sequence the model takes. Longer ones are truncated to it, in training
    /// and prediction, as by <see cref="MaximumTrainingLength"/> (the trainer says so in its log).
    /// </summary>
    public int MaxPositions { get => Network.MaxPositions; set => Network.MaxPositions = value; }

    /// <summary>Transformer: sinusoidal (fixed) or learned positions.</summary>
    public PositionalEncoding PositionalEncoding { get => Network.PositionalEncoding; set => Network.PositionalEncoding = value; }

    /// <summary>Transformer: the feed-forward activation.</summary>
    public TransformerActivation Activation { get => Network.Activation; set => Network.Activation = value; }

    /// <summary>Transformer: pre-norm layers (with a final LayerNorm) instead of post-norm.</summary>
    public bool NormFirst { get => Network.NormFirst; set => Network.NormFirst = value; }

    /// <summary>Transformer: dropout inside each layer.</summary>
    public float TransformerDropout { get => Network.TransformerDropout; set => Network.TransformerDropout = value; }

    /// <summary>Stacked layers.</summary>
    public int NumLayers { get => Network.NumLayers; set => Network.NumLayers = value; }

    /// <summary>Bidirectional RNN.</summary>
    public bool Bidirectional { get => Network.Bidirectional; set => Network.Bidirectional = value; }

    /// <summary>Embedding size for token input (ignored for feature sequences; a pretrained file sets its own).</summary>
    public int EmbeddingDimension { get => Network.InputSize; set => Network.InputSize = value; }

    /// <summary>Hidden units per direction.</summary>
    public int HiddenSize { get => Network.HiddenSize; set => Network.HiddenSize = value; }

    /// <summary>How outputs become one vector per sequence.</summary>
    public SequencePooling Pooling { get => Network.Pooling; set => Network.Pooling = value; }

    /// <summary>Hidden units of an optional ReLU layer in the head; 0 = linear head.</summary>
    public int HeadHiddenSize { get => Network.HeadHiddenSize; set => Network.HeadHiddenSize = value; }

    /// <summary>Dropout before the head.</summary>
    public float Dropout { get => Network.Dropout; set => Network.Dropout = value; }

    /// <summary>Dropout on embedded steps.</summary>
    public float EmbeddingDropout { get => Network.EmbeddingDropout; set => Network.EmbeddingDropout = value; }

    /// <summary>Dropout between stacked layers.</summary>
    public float RnnDropout { get => Network.RnnDropout; set => Network.RnnDropout = value; }

    /// <summary>
    /// Pretrained word vectors to start the embedding from, fetched once into a local cache
    /// (<see cref="PretrainedEmbeddingStore"/>). The default, GloVe100D, is part of the default
    /// configuration (bench/results/defaults.md: it lifts AG News from 82.8% to 89%); set
    /// <see cref="PretrainedModelKind.None"/> to learn the embedding from scratch, e.g. offline or with
    /// another <see cref="EmbeddingDimension"/>. Used for token-id columns that carry their vocabulary
    /// (MapTokensToIds); ignored, with a warning in the log, for other inputs.
    /// </summary>
    public PretrainedModelKind PretrainedEmbeddings { get; set; } = PretrainedModelKind.GloVe100D;

    /// <summary>
    /// A local Hugging Face folder of a pretrained BERT-shaped encoder (config.json, model.safetensors,
    /// vocab.txt) to fine-tune, or null. The encoder's architecture and weights come from the folder;
    /// <see cref="Pooling"/> (Mean or First suit it; Max is the RNN default), <see cref="Dropout"/>,
    /// <see cref="HeadHiddenSize"/>, the loss and the optimiser from these options; the feature column must
    /// hold the folder's token ids (<c>mlContext.Transforms.Text.TokenizeForPretrained</c>). Pretrained word
    /// vectors (<see cref="PretrainedEmbeddings"/>) are not used. <see cref="FineTuning(string)"/> sets the
    /// rest as Hugging Face's fine-tuning examples do.
    /// </summary>
    public string? PretrainedModel { get; set; }

    /// <summary>
    /// Options that fine-tune the pretrained encoder in <paramref name="pretrainedModel"/> as Hugging Face's
    /// examples and Trainer do, where this library's own defaults are for training from scratch:
    /// learning rate 5e-5 warmed up over 6% of the steps then decayed linearly to 0, 3 epochs of batch 32,
    /// AdamW with weight decay 0.01 except on biases and LayerNorm weights, gradient norm clipped to 1,
    /// dropout 0.1 before a new linear head, mean pooling (sentence-transformers' models, whose [CLS]
    /// pooler is untrained, learn faster from it), no word vectors. The CLI's --pretrained-model starts
    /// from these; change any before training.
    /// </summary>
    public static SequenceClassificationOptions FineTuning(string pretrainedModel) => FineTuning(new SequenceClassificationOptions(), pretrainedModel);

    // The recipe written into options of any kind (the obsolete RnnTrainerOptions too).
    private protected static T FineTuning<T>(T options, string pretrainedModel) where T : SequenceClassificationOptions
    {
        ArgumentNullException.ThrowIfNull(pretrainedModel);
        options.PretrainedModel = pretrainedModel;
        options.PretrainedEmbeddings = PretrainedModelKind.None;
        options.LearningRate = 5e-5;
        options.Schedule = LearningRateSchedule.LinearDecay;
        options.WarmupFraction = 0.06;
        options.Epochs = 3;
        options.BatchSize = 32;
        options.Network.Pooling = SequencePooling.Mean;
        options.Network.Dropout = 0.1f;
        options.Network.GradientClipNorm = 1f;
        options.Network.WeightDecay = 0.01f;
        options.Network.DecayBiasesAndNorms = false;
        return options;
    }

    /// <summary>A GloVe, word2vec or fastText .vec text file of pretrained word vectors; when set, it replaces <see cref="PretrainedEmbeddings"/>.</summary>
    public string? PretrainedEmbeddingsPath { get; set; }

    /// <summary>Keep the pretrained vectors fixed.</summary>
    public bool FreezeEmbeddings { get => Network.FreezeEmbeddings; set => Network.FreezeEmbeddings = value; }

    /// <summary>Rows per training batch.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; set; } = 5;

    /// <summary>
    /// Batches whose gradients make one optimisation step (gradient accumulation, Hugging Face's
    /// gradient_accumulation_steps): a step then learns from <see cref="BatchSize"/> x this many rows while
    /// holding one batch's activations at a time, for batches too large for memory (long texts, big
    /// models). 1 = a step per batch. With a <see cref="ProcessGroup"/>, the global batches are accumulated.
    /// </summary>
    public int GradientAccumulationSteps { get; set; } = 1;

    /// <summary>The most <see cref="GradientAccumulationSteps"/>.</summary>
    public const int MaximumGradientAccumulationSteps = 1024;

    /// <summary>Peak learning rate of AdamW.</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>Learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.LinearDecay;

    /// <summary>Fraction of all steps spent warming the rate up linearly from 0.</summary>
    public double WarmupFraction { get; set; } = 0.02;

    /// <summary>AdamW's decoupled weight decay.</summary>
    public float WeightDecay { get => Network.WeightDecay; set => Network.WeightDecay = value; }

    /// <summary>Clip the gradient norm to this; 0 = off.</summary>
    public float GradientClipNorm { get => Network.GradientClipNorm; set => Network.GradientClipNorm = value; }

    /// <summary>Per-class loss weights in key order; null = equal.</summary>
    public float[]? ClassWeights { get => Network.ClassWeights; set => Network.ClassWeights = value; }

    /// <summary>Cross-entropy label smoothing.</summary>
    public float LabelSmoothing { get => Network.LabelSmoothing; set => Network.LabelSmoothing = value; }

    /// <summary>
    /// A multi-label model predicts a label where its probability is at least its threshold: this one for every
    /// label when set, in (0, 1); when null (the default), each label's is chosen on the validation rows to
    /// maximize its F1 (so macro-F1), and 0.5 without validation rows. Kept with the model.
    /// </summary>
    public double? DecisionThreshold { get; set; }

    /// <summary>Truncate sequences longer than this for training and prediction; 0 = keep all (tokens are also truncated by the vocabulary step's MaximumLength). A Transformer keeps at most <see cref="MaxPositions"/>.</summary>
    public int MaximumTrainingLength { get; set; }

    /// <summary>
    /// The steps a sequence keeps, in training and in the trained model's predictions: <see cref="MaximumTrainingLength"/>,
    /// and with a Transformer at most <see cref="MaxPositions"/>; 0 = all.
    /// </summary>
    internal int SequenceLimit => WindowStride > 0 ? 0 : Encoder != SequenceEncoder.Transformer ? MaximumTrainingLength
        : MaximumTrainingLength == 0 ? MaxPositions : Math.Min(MaximumTrainingLength, MaxPositions);

    /// <summary>
    /// 0 (the default): a sequence longer than the model takes keeps its first steps (<see cref="MaximumTrainingLength"/>,
    /// a Transformer's positions). Above 0: a Transformer's (or a pretrained encoder's) input is read whole, in windows of
    /// its positions (of <see cref="MaximumTrainingLength"/> where lower) starting every this many ids, the last ending at the
    /// text's end; the head's outputs of a text's windows are pooled (<see cref="SequenceModelOptions.WindowPooling"/>) into
    /// the text's, in training and prediction. A pretrained encoder's windows each keep the text's [CLS] and [SEP]; its
    /// tokenizer must keep every piece (TokenizeForPretrained with TruncationPolicy.KeepAll).
    /// </summary>
    public int WindowStride { get; set; }

    /// <summary>
    /// The network's options, with their defaults and ranges (<see cref="SequenceModelOptions"/>, the one
    /// definition): the properties above that configure the network read and write these. Any option of
    /// the engine can be set here, those without a property above too (AdamBeta1, AdamBeta2, AdamEpsilon).
    /// What the data decides is set at Fit and ignored here: VocabularySize, NumClasses, PretrainedEmbeddings
    /// (from <see cref="PretrainedEmbeddings"/>), InputSize for feature sequences or a pretrained file, and
    /// Seed (from <see cref="Seed"/> or the MLContext).
    /// </summary>
    public SequenceModelOptions Network { get; } = new();

    /// <summary>
    /// The network's architecture from these options, used by <see cref="Validate"/> (before any data is
    /// read) and by the trainer (which adds what the data decides: vocabulary, input size, pretrained vectors).
    /// </summary>
    public SequenceModelOptions Architecture(int numClasses, int seed)
    {
        var architecture = Network.Clone();
        architecture.NumClasses = numClasses;
        architecture.Seed = seed;
        architecture.VocabularySize = 0;
        architecture.PretrainedEmbeddings = null;
        // Frozen only once pretrained vectors are actually loaded (the trainer decides; feature input has none).
        architecture.FreezeEmbeddings = false;
        return architecture;
    }

    /// <summary>Group rows of similar length into batches (from shuffled chunks) to waste less work on padding.</summary>
    public bool BucketByLength { get; set; } = true;

    /// <summary>The largest <see cref="BatchSize"/>: beyond it a batch's buffers alone exceed any machine's memory.</summary>
    public const int MaximumBatchSize = 65536;

    /// <summary>
    /// Padded tokens (rows x the longest row) one training batch may hold; a batch over it is split,
    /// longest rows first (see <see cref="BatchPlanner.DefaultTokenBudget"/>). Raise it to keep batches of
    /// very long texts whole, at the cost of memory; lower it to bound memory further.
    /// </summary>
    public int MaximumBatchTokens { get; set; } = BatchPlanner.DefaultTokenBudget;

    /// <summary>
    /// The steps a training row keeps at most (0 = no limit). Training keeps every step's activations for
    /// the backward pass (tens of KB per step with the default model), so one very long row would set the
    /// run's peak memory; longer rows are cut to their first <see cref="MaximumRowSteps"/> steps for
    /// training, and the trainer says how many were. Prediction is not affected: it keeps nothing per step.
    /// </summary>
    public int MaximumRowSteps { get; set; } = DefaultMaximumRowSteps;

    /// <summary>The default <see cref="MaximumRowSteps"/>: far beyond a review or an article (IMDB's longest is about 2,800 tokens).</summary>
    public const int DefaultMaximumRowSteps = 16384;

    /// <summary>The steps training keeps of a row: <see cref="SequenceLimit"/> and <see cref="MaximumRowSteps"/>, whichever is lower (0 = all).</summary>
    internal int TrainingRowLimit => SequenceLimit == 0 ? MaximumRowSteps : MaximumRowSteps == 0 ? SequenceLimit : Math.Min(SequenceLimit, MaximumRowSteps);

    /// <summary>The fraction an automatic <see cref="ValidationFraction"/> holds out.</summary>
    public const double AutomaticValidationFraction = 0.05;

    /// <summary>An automatic <see cref="ValidationFraction"/> holds rows out only if it gets at least this many.</summary>
    public const int MinimumAutomaticValidationRows = 100;

    /// <summary>
    /// Hold out this stratified fraction of the training data for validation when no validation set
    /// is given (with <see cref="RestoreBestEpoch"/>, the best epoch's weights are kept); 0 = none.
    /// Null, the default, is automatic: <see cref="AutomaticValidationFraction"/> when that holds out at
    /// least <see cref="MinimumAutomaticValidationRows"/> rows (2,000 training rows or more), else none:
    /// on a small set, a few validation rows would choose the epoch by chance.
    /// </summary>
    public double? ValidationFraction { get; set; }

    /// <summary>Stop after this many epochs without a better validation accuracy; 0 = never stop early.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>At the end (or on cancellation), keep the weights of the epoch with the best validation accuracy.</summary>
    public bool RestoreBestEpoch { get; set; } = true;

    /// <summary>Seed for initialisation, dropout, shuffling and splits; null = the MLContext's seed.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// The engine's threads (<see cref="TorchRuntime.Threads"/>), at most <see cref="TorchRuntime.MaxThreads"/>;
    /// 0 = leave the process setting alone.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>
    /// Data-parallel training: the group of processes (ranks) this one trains with, or null (the default)
    /// to train alone. Every rank runs the same Fit on the same data with the same options; each trains
    /// on its own shard of every global batch (<see cref="BatchSize"/> rows per rank, so the global batch
    /// is ranks x BatchSize, and <see cref="LearningRate"/> is not rescaled for it), the gradients are
    /// reduced across ranks every step, validation is scored by all and decided alike, and every rank
    /// ends with the same model. The caller owns the group (PyTorch's pattern: init_process_group, train,
    /// save on rank 0, barrier): <c>new ProcessGroup(DistributedOptions.FromEnvironment()!)</c> for a
    /// process started by a launcher.
    /// </summary>
    public ProcessGroup? ProcessGroup { get; set; }

    /// <summary>Receives per-batch progress and per-epoch summaries.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Stops training within one batch (with a <see cref="ProcessGroup"/>, every rank within
    /// 8 batches of it, at the same step). The trainer then returns the best model so far (the best
    /// validation epoch, or the current weights when there is no validation), with
    /// <see cref="TrainingHistory.Cancelled"/> set; never a half-updated one.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// The highest <see cref="LearningRate"/> accepted: far beyond any useful rate (AdamW's steps are about
    /// the rate in size), yet low enough that a schedule's arithmetic stays finite.
    /// </summary>
    public const double MaximumLearningRate = 1e6;

    /// <summary>Checks every option; throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of range.</summary>
    public void Validate()
    {
        static void Positive(int value, string name)
        {
            if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
        }
        // Written as a positive test so that NaN fails it too.
        static void InUnitInterval(float value, string name)
        {
            if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1), got {value}.");
        }
        // The architecture's own checks (the encoder's, by the same option names); classes come from the data.
        Architecture(numClasses: Network.Task == SequenceTask.Regression ? 1 : 2, seed: 0).ValidateArchitecture();
        if (WindowStride < 0) throw new ArgumentOutOfRangeException(nameof(WindowStride), WindowStride, "WindowStride must be 0 (no windows) or positive.");
        if (WindowStride > 0 && Encoder != SequenceEncoder.Transformer && PretrainedModel is null)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowStride), WindowStride, "WindowStride reads a Transformer's or a pretrained encoder's input in windows of its positions; an RNN reads whole sequences.");
        }
        if (WindowStride > 0 && FeatureSize > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowStride), WindowStride, "WindowStride cuts token ids into windows; feature sequences are read whole or cut (MaximumTrainingLength).");
        }
        if (DecisionThreshold is double threshold && !(threshold > 0 && threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DecisionThreshold), DecisionThreshold, $"DecisionThreshold must be in (0, 1), got {threshold}.");
        }
        if (DecisionThreshold is not null && Network.Task != SequenceTask.MultiLabel)
        {
            throw new ArgumentOutOfRangeException(nameof(DecisionThreshold), DecisionThreshold, "DecisionThreshold is a multi-label model's (Network.Task = MultiLabel).");
        }
        if (Encoder == SequenceEncoder.Transformer && MaximumTrainingLength > MaxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumTrainingLength), MaximumTrainingLength,
                $"MaximumTrainingLength {MaximumTrainingLength} exceeds MaxPositions {MaxPositions}, the longest sequence the Transformer takes: raise MaxPositions or lower MaximumTrainingLength.");
        }
        // (The network's sizes are the architecture's to check, above: one validator for them.)
        Positive(BatchSize, nameof(BatchSize));
        Positive(MaximumBatchTokens, nameof(MaximumBatchTokens));
        if (BatchSize > MaximumBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize must be at most {MaximumBatchSize}, got {BatchSize}.");
        }
        Positive(Epochs, nameof(Epochs));
        if (GradientAccumulationSteps < 1 || GradientAccumulationSteps > MaximumGradientAccumulationSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), GradientAccumulationSteps,
                $"GradientAccumulationSteps must be between 1 and {MaximumGradientAccumulationSteps}, got {GradientAccumulationSteps}.");
        }
        if (!(LearningRate > 0 && LearningRate <= MaximumLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"LearningRate must be positive and at most {MaximumLearningRate:G}, got {LearningRate}.");
        }
        if (Threads != 0) TorchRuntime.CheckThreads(Threads, nameof(Threads));
        InUnitInterval(Dropout, nameof(Dropout));
        InUnitInterval(EmbeddingDropout, nameof(EmbeddingDropout));
        InUnitInterval(RnnDropout, nameof(RnnDropout));
        if (ValidationFraction is double fraction && !(fraction >= 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentOutOfRangeException(nameof(WarmupFraction), WarmupFraction, "WarmupFraction must be in [0, 1).");
        if (EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience must be >= 0.");
        if (FeatureSize < 0) throw new ArgumentOutOfRangeException(nameof(FeatureSize), FeatureSize, "FeatureSize must be 0 (token ids) or the number of values per step.");
        if (MaximumTrainingLength < 0) throw new ArgumentOutOfRangeException(nameof(MaximumTrainingLength), MaximumTrainingLength, "MaximumTrainingLength must be >= 0.");
        if (MaximumRowSteps < 0) throw new ArgumentOutOfRangeException(nameof(MaximumRowSteps), MaximumRowSteps, "MaximumRowSteps must be >= 0 (0: no limit).");
        ColumnChecks.RequireName(LabelColumnName, nameof(LabelColumnName));
        ColumnChecks.RequireName(FeatureColumnName, nameof(FeatureColumnName));
        if (!Enum.IsDefined(PretrainedEmbeddings)) throw new ArgumentOutOfRangeException(nameof(PretrainedEmbeddings), PretrainedEmbeddings, "PretrainedEmbeddings is not a PretrainedModelKind.");
        if (PretrainedEmbeddingsPath is null && PretrainedEmbeddings != PretrainedModelKind.None
            && EmbeddingDimension != PretrainedEmbeddingStore.Dimension(PretrainedEmbeddings))
        {
            throw new ArgumentOutOfRangeException(nameof(EmbeddingDimension), EmbeddingDimension,
                $"EmbeddingDimension {EmbeddingDimension} does not match the {PretrainedEmbeddingStore.Dimension(PretrainedEmbeddings)} dimensions of the pretrained " +
                $"{PretrainedEmbeddings} vectors: set PretrainedEmbeddings = PretrainedModelKind.None (CLI: --pretrained none) to learn {EmbeddingDimension}-dimension embeddings from scratch.");
        }
        if (FreezeEmbeddings && PretrainedEmbeddingsPath is null && PretrainedEmbeddings == PretrainedModelKind.None)
        {
            throw new ArgumentOutOfRangeException(nameof(FreezeEmbeddings), FreezeEmbeddings,
                "FreezeEmbeddings keeps pretrained vectors fixed, but PretrainedEmbeddings is None and no PretrainedEmbeddingsPath is set.");
        }
        if (PretrainedModel is not null && !File.Exists(Path.Combine(PretrainedModel, "config.json")))
        {
            throw new FileNotFoundException($"Pretrained model folder '{PretrainedModel}' has no config.json (a Hugging Face model folder is expected).", Path.Combine(PretrainedModel, "config.json"));
        }
        if (PretrainedEmbeddingsPath is not null && !File.Exists(PretrainedEmbeddingsPath))
        {
            throw new FileNotFoundException($"Pretrained embeddings file '{PretrainedEmbeddingsPath}' does not exist.", PretrainedEmbeddingsPath);
        }
    }
}

/// <summary>
/// The one definition of what a classifier's input column holds: a variable-length vector of Int64
/// token ids, or (FeatureSize &gt; 0) of Single feature values, steps of FeatureSize each. The trainer's
/// schema checks (on shapes and on schemas) and the transformer's all ask here.
/// </summary>
internal static class FeatureColumn
{
    private static Type ValueType(int featureSize) => featureSize > 0 ? typeof(float) : typeof(long);

    public static string Expected(int featureSize) => featureSize > 0
        ? $"a vector of Single holding steps of {featureSize} features (FeatureSize)"
        : "a vector of Int64 token ids (MapTokensToIds)";

    public static DataViewSchema.Column Require(DataViewSchema schema, string name, int featureSize) =>
        ColumnChecks.Require(schema, name, Expected(featureSize),
            t => t is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == ValueType(featureSize));

    public static void Require(SchemaShape shape, string name, int featureSize) =>
        ColumnChecks.Require(shape, name, Expected(featureSize),
            c => c.Kind != SchemaShape.Column.VectorKind.Scalar && c.ItemType is NumberDataViewType n && n.RawType == ValueType(featureSize));
}
