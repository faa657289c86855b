using System.CommandLine;
using SeqClassify.MLNet.Training;

namespace SeqClassify.Cli;

/// <summary>
/// How the network is trained, on the command line: a line each, flag, <see cref="RnnTrainerOptions"/>
/// property and meaning (<see cref="OptionTable{T}"/> derives the rest). These shape no network: they
/// are kept in the model's training history only. A test checks that every property of the trainer's
/// options is here, in <see cref="NetworkOptions"/> (through RnnTrainerOptions.Network), or in
/// <see cref="NotOnTheCommandLine"/> with the reason.
/// </summary>
internal sealed class TrainingOptions
{
    private static readonly OptionTable<RnnTrainerOptions>.Row[] Table =
    [
        new("--epochs", nameof(RnnTrainerOptions.Epochs), "Passes over the training data."),
        new("--batch-size", nameof(RnnTrainerOptions.BatchSize), "Rows per batch."),
        new("--lr", nameof(RnnTrainerOptions.LearningRate), "Peak learning rate (AdamW)."),
        new("--schedule", nameof(RnnTrainerOptions.Schedule), "How the learning rate moves after its warm-up"),
        new("--warmup", nameof(RnnTrainerOptions.WarmupFraction), "Fraction of all steps over which the learning rate rises linearly from 0."),
        new("--patience", nameof(RnnTrainerOptions.EarlyStoppingPatience), "Stop after this many epochs without a better validation accuracy (0: never stop early)."),
        new("--restore-best", nameof(RnnTrainerOptions.RestoreBestEpoch), "Keep the weights of the epoch with the best validation accuracy (true/false)."),
        new("--class-weights", nameof(RnnTrainerOptions.ClassWeights),
            "Per-class loss weights for rare classes, comma-separated in the labels' order (sorted, as info lists them), e.g. 1,4."),
        new("--batch-tokens", nameof(RnnTrainerOptions.MaximumBatchTokens),
            "Padded tokens (rows x longest row) one training batch may hold; a larger batch is split, longest rows first: bounds memory for long texts."),
    ];

    /// <summary>
    /// The trainer's options that have no flag here, and why. (Those that forward to the network, such as
    /// HiddenSize, are <see cref="NetworkOptions"/>' flags.)
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotOnTheCommandLine = new Dictionary<string, string>
    {
        [nameof(RnnTrainerOptions.LabelColumnName)] = "the CLI's pipeline names its columns",
        [nameof(RnnTrainerOptions.FeatureColumnName)] = "the CLI's pipeline names its columns",
        [nameof(RnnTrainerOptions.FeatureSize)] = "the CLI reads text, not feature sequences",
        [nameof(RnnTrainerOptions.ScoreColumnName)] = "the CLI's pipeline names its columns",
        [nameof(RnnTrainerOptions.PredictedLabelColumnName)] = "the CLI's pipeline names its columns",
        [nameof(RnnTrainerOptions.PretrainedEmbeddings)] = "--pretrained names the vectors",
        [nameof(RnnTrainerOptions.PretrainedEmbeddingsPath)] = "--pretrained names the vectors",
        [nameof(RnnTrainerOptions.PretrainedModel)] = "--pretrained-model",
        [nameof(RnnTrainerOptions.MaximumTrainingLength)] = "--max-length cuts the ids before the trainer",
        [nameof(RnnTrainerOptions.BucketByLength)] = "always on: it changes which rows share a batch, not what is learnt",
        [nameof(RnnTrainerOptions.MaximumRowSteps)] = "--max-length cuts rows; the library's bound stays",
        [nameof(RnnTrainerOptions.ValidationFraction)] = "--valid-fraction, which goes with --valid",
        [nameof(RnnTrainerOptions.Seed)] = "--seed seeds the whole pipeline",
        [nameof(RnnTrainerOptions.Threads)] = "--threads, checked against the machine's cores",
        [nameof(RnnTrainerOptions.ProcessGroup)] = "--nproc, --world-size/--rank/--master",
        [nameof(RnnTrainerOptions.Progress)] = "the CLI draws the progress",
        [nameof(RnnTrainerOptions.CancellationToken)] = "Ctrl+C and SIGTERM",
    };

    private readonly OptionTable<RnnTrainerOptions> _table = new(Table);

    /// <summary>The properties the table sets.</summary>
    public static IEnumerable<string> Properties => Table.Select(row => row.Property);

    /// <summary>The flag that sets a trainer property, or null.</summary>
    public static string? FlagOf(string? property) => Table.FirstOrDefault(row => row.Property == property)?.Flag;

    public void AddTo(Command command) => _table.AddTo(command);

    /// <summary>Writes each option given on the command line into <paramref name="trainer"/>; the others keep their values.</summary>
    public void Apply(ParseResult parse, RnnTrainerOptions trainer) => _table.Apply(parse, trainer);

    /// <summary>"--flag value" for each option a recipe sets away from the defaults.</summary>
    public IEnumerable<string> Differences(RnnTrainerOptions these, RnnTrainerOptions from) => _table.Differences(these, from);
}
