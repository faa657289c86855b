using System.CommandLine;
using SeqClassify.MLNet.Training;

namespace SeqClassify.Cli;

/// <summary>
/// How the network is trained, on the command line: a line each, flag, <see cref="SequenceClassificationOptions"/>
/// property and meaning (<see cref="OptionTable{T}"/> derives the rest). These shape no network: they
/// are kept in the model's training history only. A test checks that every property of the trainer's
/// options is here, in <see cref="NetworkOptions"/> (through SequenceClassificationOptions.Network), or in
/// <see cref="NotOnTheCommandLine"/> with the reason.
/// </summary>
internal sealed class TrainingOptions
{
    private static readonly OptionTable<SequenceClassificationOptions>.Row[] Table =
    [
        new("--epochs", nameof(SequenceClassificationOptions.Epochs), "Passes over the training data."),
        new("--batch-size", nameof(SequenceClassificationOptions.BatchSize), "Rows per batch."),
        new("--accumulate", nameof(SequenceClassificationOptions.GradientAccumulationSteps),
            "Batches whose gradients make one step (gradient accumulation): a step learns from --batch-size x N rows (x ranks), memory holds one batch."),
        new("--lr", nameof(SequenceClassificationOptions.LearningRate), "Peak learning rate (AdamW)."),
        new("--schedule", nameof(SequenceClassificationOptions.Schedule), "How the learning rate moves after its warm-up"),
        new("--warmup", nameof(SequenceClassificationOptions.WarmupFraction), "Fraction of all steps over which the learning rate rises linearly from 0."),
        new("--patience", nameof(SequenceClassificationOptions.EarlyStoppingPatience), "Stop after this many epochs without a better validation accuracy (0: never stop early)."),
        new("--restore-best", nameof(SequenceClassificationOptions.RestoreBestEpoch), "Keep the weights of the epoch with the best validation accuracy (true/false)."),
        new("--class-weights", nameof(SequenceClassificationOptions.ClassWeights),
            "Per-class loss weights for rare classes, comma-separated in the labels' order (sorted, as info lists them), e.g. 1,4."),
        new("--threshold", nameof(SequenceClassificationOptions.DecisionThreshold),
            "Multi-label: predict a label from this probability, for every label (default: each label's threshold best for its F1 on the validation rows; 0.5 without them)."),
        new("--batch-tokens", nameof(SequenceClassificationOptions.MaximumBatchTokens),
            "Padded tokens (rows x longest row) one training batch may hold; a larger batch is split, longest rows first: bounds memory for long texts."),
    ];

    /// <summary>
    /// The trainer's options that have no flag here, and why. (Those that forward to the network, such as
    /// HiddenSize, are <see cref="NetworkOptions"/>' flags.)
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotOnTheCommandLine = new Dictionary<string, string>
    {
        [nameof(SequenceClassificationOptions.LabelColumnName)] = "the CLI's pipeline names its columns",
        [nameof(SequenceClassificationOptions.FeatureColumnName)] = "the CLI's pipeline names its columns",
        [nameof(SequenceClassificationOptions.FeatureSize)] = "the CLI reads text, not feature sequences",
        [nameof(SequenceClassificationOptions.ScoreColumnName)] = "the CLI's pipeline names its columns",
        [nameof(SequenceClassificationOptions.PredictedLabelColumnName)] = "the CLI's pipeline names its columns",
        [nameof(SequenceClassificationOptions.PretrainedEmbeddings)] = "--pretrained names the vectors",
        [nameof(SequenceClassificationOptions.PretrainedEmbeddingsPath)] = "--pretrained names the vectors",
        [nameof(SequenceClassificationOptions.PretrainedModel)] = "--pretrained-model",
        [nameof(SequenceClassificationOptions.MaximumTrainingLength)] = "--max-length cuts the ids before the trainer",
        [nameof(SequenceClassificationOptions.WindowStride)] = "--window-stride, which goes with --truncation windows (the tokenizer keeps every id then)",
        [nameof(SequenceClassificationOptions.BucketByLength)] = "always on: it changes which rows share a batch, not what is learnt",
        [nameof(SequenceClassificationOptions.MaximumRowSteps)] = "--max-length cuts rows; the library's bound stays",
        [nameof(SequenceClassificationOptions.ValidationFraction)] = "--valid-fraction, which goes with --valid",
        [nameof(SequenceClassificationOptions.Seed)] = "--seed seeds the whole pipeline",
        [nameof(SequenceClassificationOptions.Threads)] = "--threads, checked against the machine's cores",
        [nameof(SequenceClassificationOptions.ProcessGroup)] = "--nproc, --world-size/--rank/--master",
        [nameof(SequenceClassificationOptions.Progress)] = "the CLI draws the progress",
        [nameof(SequenceClassificationOptions.CancellationToken)] = "Ctrl+C and SIGTERM",
    };

    private readonly OptionTable<SequenceClassificationOptions> _table = new(Table);

    /// <summary>The properties the table sets.</summary>
    public static IEnumerable<string> Properties => Table.Select(row => row.Property);

    /// <summary>The flag that sets a trainer property, or null.</summary>
    public static string? FlagOf(string? property) => Table.FirstOrDefault(row => row.Property == property)?.Flag;

    public void AddTo(Command command) => _table.AddTo(command);

    /// <summary>Writes each option given on the command line into <paramref name="trainer"/>; the others keep their values.</summary>
    public void Apply(ParseResult parse, SequenceClassificationOptions trainer) => _table.Apply(parse, trainer);

    /// <summary>"--flag value" for each option a recipe sets away from the defaults.</summary>
    public IEnumerable<string> Differences(SequenceClassificationOptions these, SequenceClassificationOptions from) => _table.Differences(these, from);
}
