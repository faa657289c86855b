using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Persistence;

namespace SeqClassify.MLNet;

/// <summary>How much a log message matters, as ML.NET's ChannelMessageKind.</summary>
public enum LogKind
{
    /// <summary>Routine progress (each epoch, a saved file): what a progress display already shows.</summary>
    Trace,
    /// <summary>Worth telling a user (vector coverage, early stopping).</summary>
    Info,
    /// <summary>Something was not as asked (rows skipped, training cancelled).</summary>
    Warning,
}

/// <summary>A log message from a pipeline step.</summary>
public sealed class LoggingEventArgs(string message, LogKind kind) : EventArgs
{
    /// <summary>The message.</summary>
    public string Message { get; } = message;

    /// <summary>How much it matters.</summary>
    public LogKind Kind { get; } = kind;
}

/// <summary>
/// The entry point, as ML.NET's MLContext: a seed shared by the steps that need randomness, a log,
/// and the catalogs of components.
/// </summary>
/// <example>
/// <code>
/// var ml = new MLContext(seed: 1);
/// var data = ml.Data.LoadFromTextFile&lt;Review&gt;("train.csv", separatorChar: ',', hasHeader: true);
/// var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
///     .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
///     .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: 2))
///     .Append(ml.SequenceClassification.Trainers.Rnn())
///     .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
/// var model = pipeline.Fit(data);
/// </code>
/// See examples/ for whole programs.
/// </example>
public sealed class MLContext
{
    /// <summary>Creates a context; with no seed, a fixed default (0) keeps runs reproducible.</summary>
    public MLContext(int? seed = null)
    {
        Seed = seed ?? 0;
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        SequenceClassification = new SequenceClassificationCatalog(this);
        Model = new ModelOperationsCatalog(this);
    }

    /// <summary>The seed for initialisation, shuffling and splits.</summary>
    public int Seed { get; }

    /// <summary>Messages from the steps (loading, training, skipping rows).</summary>
    public event EventHandler<LoggingEventArgs>? Log;

    /// <summary>
    /// Training progress from every trainer of this context: after each batch and each epoch (the same
    /// reports as <see cref="Training.RnnTrainerOptions.Progress"/>, for code that watches a whole pipeline).
    /// Raised on the training thread.
    /// </summary>
    public event EventHandler<Training.TrainingProgress>? TrainingProgress;

    /// <summary>Loading, splitting and reading data.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Text and conversion transforms.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Trainers, evaluation and cross-validation.</summary>
    public SequenceClassificationCatalog SequenceClassification { get; }

    /// <summary>Saving, loading and prediction engines.</summary>
    public ModelOperationsCatalog Model { get; }

    internal void WriteLog(string message, LogKind kind = LogKind.Info) => Log?.Invoke(this, new LoggingEventArgs(message, kind));

    internal void ReportProgress(Training.TrainingProgress progress) => TrainingProgress?.Invoke(this, progress);
}

/// <summary>The transforms, grouped as ML.NET groups them.</summary>
public sealed class TransformsCatalog
{
    internal TransformsCatalog(MLContext context)
    {
        Text = new Text.TextCatalog(context);
        Conversion = new Conversion.ConversionCatalog(context);
    }

    /// <summary>Text featurization: normalize, tokenize, vocabulary.</summary>
    public Text.TextCatalog Text { get; }

    /// <summary>Label conversions: value ↔ key.</summary>
    public Conversion.ConversionCatalog Conversion { get; }

    /// <summary>Keeps only these columns, in this order.</summary>
    public TrivialEstimator<Transforms.ColumnSelectingTransformer> SelectColumns(params string[] columnNames) =>
        new(new Transforms.ColumnSelectingTransformer(columnNames, []));

    /// <summary>Removes these columns.</summary>
    public TrivialEstimator<Transforms.ColumnSelectingTransformer> DropColumns(params string[] columnNames) =>
        new(new Transforms.ColumnSelectingTransformer([], columnNames));
}
