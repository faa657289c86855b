namespace SeqClassify.MLNet.Training;

/// <summary>One epoch of training.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="TrainAccuracy">Training accuracy measured on each batch before its update (multi-label: rows whose every label is right at 0.5; 0 for a regression).</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data, when there is some.</param>
/// <param name="ValidationLogLoss">Mean log-loss on the validation data.</param>
/// <param name="ValidationMacroF1">Macro-averaged F1 on the validation data.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="LearningRate">Learning rate of the epoch's last step.</param>
/// <param name="ValidationRmse">A regression's root mean squared error on the validation data, in the scores' units (it keeps the best epoch).</param>
/// <param name="ValidationPearson">A regression's Pearson correlation between predicted and gold scores on the validation data.</param>
/// <param name="ValidationMicroF1">A multi-label model's micro-averaged F1 on the validation data (its macro-F1 keeps the best epoch).</param>
public sealed record EpochSummary(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationAccuracy,
    double? ValidationLogLoss, double? ValidationMacroF1, double Seconds, double LearningRate,
    double? ValidationRmse = null, double? ValidationPearson = null, double? ValidationMicroF1 = null);

/// <summary>What happened during training; saved with the model.</summary>
public sealed class TrainingHistory
{
    /// <summary>Every completed epoch, in order.</summary>
    public List<EpochSummary> Epochs { get; init; } = [];

    /// <summary>The epoch whose weights the model holds (1-based).</summary>
    public int BestEpoch { get; set; }

    /// <summary>Training stopped early because validation accuracy stopped improving.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>Training was cancelled; the model holds the best weights so far.</summary>
    public bool Cancelled { get; set; }

    /// <summary>Rows trained on, and held out for validation.</summary>
    public int TrainingRows { get; set; }

    /// <summary>Rows used for validation.</summary>
    public int ValidationRows { get; set; }

    /// <summary>The pretrained vectors' file name (e.g. glove.6B.100d.vec) the embedding started from; null for none.</summary>
    public string? PretrainedEmbeddings { get; set; }

    /// <summary>Fraction of the vocabulary found in the pretrained vectors file, when one was used.</summary>
    public double? PretrainedCoverage { get; set; }

    /// <summary>Processes that trained the model together (data-parallel ranks, <see cref="SequenceClassificationOptions.ProcessGroup"/>); 1 for one.</summary>
    public int Ranks { get; set; } = 1;

    /// <summary>Optimisation steps taken (each over one global batch: every rank's batch together).</summary>
    public int Steps { get; set; }

    /// <summary>
    /// With several ranks: the seconds the saving rank spent in collectives (gradient all-reduces, the
    /// checks, validation scores), waiting for slower ranks included; null for one process.
    /// </summary>
    public double? CommunicationSeconds { get; set; }

    /// <summary>
    /// How the network was trained (the optimiser's schedule, stopping, weighting): options that shape no
    /// network, so they are kept here, with the history, and not with the network's options. Null in models
    /// from before they were recorded.
    /// </summary>
    public TrainingSettings? Settings { get; set; }
}

/// <summary>The training options a model was trained with (<see cref="SequenceClassificationOptions"/>'s).</summary>
/// <param name="Epochs">Passes planned.</param>
/// <param name="BatchSize">Rows per batch (per rank).</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="Schedule">How the rate moved after warm-up.</param>
/// <param name="WarmupFraction">Fraction of the steps spent warming up.</param>
/// <param name="EarlyStoppingPatience">Epochs without improvement before stopping; 0 = never.</param>
/// <param name="RestoreBestEpoch">Whether the best validation epoch's weights were kept.</param>
/// <param name="ClassWeights">Per-class loss weights, or null.</param>
/// <param name="MaximumBatchTokens">Padded tokens a batch could hold.</param>
/// <param name="Seed">The seed used.</param>
/// <param name="GradientAccumulationSteps">Batches per optimisation step.</param>
/// <param name="DecisionThreshold">A multi-label model's one threshold for every label, or null: chosen per label (the model keeps the thresholds).</param>
public sealed record TrainingSettings(int Epochs, int BatchSize, double LearningRate, LearningRateSchedule Schedule, double WarmupFraction,
    int EarlyStoppingPatience, bool RestoreBestEpoch, float[]? ClassWeights, int MaximumBatchTokens, int Seed, int GradientAccumulationSteps = 1,
    double? DecisionThreshold = null);

/// <summary>A progress report: after each batch, and after each epoch (then <see cref="EpochCompleted"/> is set).</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="RowsPerSecond">Training rows per second so far in this epoch.</param>
/// <param name="Loss">Running mean loss of the epoch.</param>
/// <param name="EtaSeconds">Estimated seconds left in the whole training.</param>
/// <param name="EpochCompleted">The epoch's summary, at the end of an epoch; else null.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double RowsPerSecond, double Loss,
    double EtaSeconds, EpochSummary? EpochCompleted);
