using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;
using SeqClassify.Cli.Distributed;
using SeqClassify.Cli.Output;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Commands;

/// <summary>seqclassify train: fit the text pipeline on a file and save it as one .zip.</summary>
internal sealed class TrainCommand(IReadOnlyList<string> args)
{
    /// <summary>The vocabulary's minimum token count when --min-freq is not given.</summary>
    public const int DefaultMinimumFrequency = 2;

    private readonly Option<string> _train = new("--train") { Description = "Training data (CSV or TSV).", Required = true };
    private readonly Option<string> _valid = new("--valid") { Description = "Validation data, same columns; picks the best epoch." };
    private readonly Option<double?> _validFraction = new("--valid-fraction") { Description = "Hold out this stratified fraction of --train for validation instead (default: 5% when that is at least 100 rows; 0 = none)." };
    private readonly Option<string> _test = new("--test") { Description = "Test data: its metrics are printed at the end." };
    private readonly Option<string> _out = new("--out") { Description = "Where to save the model (.zip); written atomically.", Required = true };
    private readonly Option<string> _tokenizer = new("--tokenizer") { Description = "basic_english (default), whitespace or chars." };
    private readonly Option<string> _pretrained = new("--pretrained")
    {
        Description = "Pretrained word vectors: glove100d (the default; fetched once into $SEQCLASSIFY_RESOURCE_PATH or ~/.local/share/seqclassify), " +
                      "none, or a .vec file (GloVe, word2vec, fastText).",
    };
    private readonly Option<int?> _maxLength = new("--max-length") { Description = "Keep at most this many tokens per text (0 = all)." };
    private readonly Option<string> _truncation = new("--truncation")
    {
        Description = "Which tokens a text longer than --max-length keeps: head (its first, the default, as Hugging Face's), tail (its last) or head-tail (both ends); " +
                      "or windows: a Transformer or pretrained model reads the whole text in windows of its positions and pools them (--window-stride, --window-pooling).",
    };
    private readonly Option<int?> _windowStride = new("--window-stride") { Description = "With --truncation windows: a window starts every this many ids (default: half a window)." };
    private readonly Option<int?> _headLength = new("--head-length")
    {
        Description = "With --truncation head-tail and --pretrained-model: the first pieces kept, the rest from the end (default: a quarter; Sun et al. kept 128 of IMDB's 510).",
    };
    private readonly Option<int?> _minFreq = new("--min-freq") { Description = $"Minimum token count to enter the vocabulary (default {DefaultMinimumFrequency})." };
    private readonly Option<int?> _seed = new("--seed") { Description = "Random seed." };
    private readonly Option<int?> _threads = new("--threads") { Description = "engine threads, at most 4 per logical core (default: all cores)." };
    private readonly Option<string> _pretrainedModel = new("--pretrained-model") { Description = FineTuningDescription() };
    private readonly Option<bool> _unescapePtb = new("--unescape-ptb") { Description = "Undo Penn Treebank escapes (-lrb- etc.), as in SST-2 dev/test." };
    private readonly NetworkOptions _network = new();
    private readonly TrainingOptions _training = new();
    private readonly DataOptions _data = new();
    private readonly DistributedCliOptions _distributed = new();

    public Command Build(CliConsole console)
    {
        var command = new Command("train", """
            Train a sequence classifier on a CSV/TSV file and save it as one .zip: one class per row, a set of
            labels (--task multilabel) or a score (--task regression). With no model options it uses the
            library's default configuration.

            Examples:
              seqclassify train --train ../shared/datasets/sst2/train.tsv --test ../shared/datasets/sst2/test.tsv \
                --text-column sentence --label-column label --unescape-ptb --out sst2.zip
              seqclassify train --train sms.tsv --no-header --text-column 1 --label-column 0 \
                --valid-fraction 0.1 --cell lstm --pooling attention --epochs 3 --out spam.zip
              seqclassify train --train sms.tsv --no-header --text-column 1 --label-column 0 \
                --encoder transformer --layers 2 --heads 4 --pooling mean --out spam-transformer.zip
              seqclassify train --train big.tsv --text-column text --label-column label --nproc 2 --out big.zip
              seqclassify train --train goemotions/train.tsv --text-column text --label-column labels --task multilabel --out tags.zip
              seqclassify train --train stsb/train.tsv --text-column sentence1 --pair-column sentence2 --label-column score \
                --task regression --pretrained-model all-MiniLM-L6-v2 --out similarity.zip

            Distributed (data-parallel; docs/distributed.md): --nproc N starts N worker processes here; on
            k machines, run it on each with --world-size k --rank i --master HOST:PORT (or the launchers'
            MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK). Each rank trains on its share of every batch of
            ranks x --batch-size rows; rank 0 reports and writes the model.
            """);
        foreach (var option in new Option[] { _train, _valid, _validFraction, _test, _out, _tokenizer })
        {
            command.Options.Add(option);
        }
        _network.AddTo(command);
        _training.AddTo(command);
        foreach (var option in new Option[] { _pretrained, _pretrainedModel, _maxLength, _truncation, _headLength, _windowStride, _minFreq, _seed, _threads, _unescapePtb })
        {
            command.Options.Add(option);
        }
        _data.AddTo(command, withLabel: true, withPair: true);
        _distributed.AddTo(command);
        command.SetAction((parse, cancel) => Task.FromResult(Run(parse, console, cancel)));
        return command;
    }

    private int Run(ParseResult parse, CliConsole console, CancellationToken cancel)
    {
        string output = parse.GetValue(_out)!;
        int? processes = _distributed.LocalProcesses(parse);
        var rankSettings = processes is null ? _distributed.RankSettings(parse) : null;
        // Only rank 0 writes the model: on other machines the path need not exist.
        if (rankSettings is null or { Rank: 0 })
        {
            OutputFile.CheckWritable(output);
            OutputFile.CheckNotAnInput("--out", output, ("--train", parse.GetValue(_train)), ("--valid", parse.GetValue(_valid)), ("--test", parse.GetValue(_test)),
                ("--pretrained", PretrainedVectorsFile(parse)));
            OutputFile.CheckNotInFolder("--out", output, "--pretrained-model", parse.GetValue(_pretrainedModel));
        }
        if (parse.GetValue(_pretrainedModel) is not null) RefuseWhatTheCheckpointDecides(parse);
        var trainer = TrainerOptions(parse);
        var truncation = Truncation(parse);
        int headLength = parse.GetValue(_headLength) ?? 0;
        if (parse.GetValue(_headLength) is not null && (truncation != TruncationPolicy.KeepHeadAndTail || trainer.PretrainedModel is null))
        {
            throw new UsageException("--head-length is the head of --truncation head-tail with --pretrained-model (without one, head-tail keeps halves)");
        }
        var settings = new CliPipeline.Settings(Tokenizer(parse.GetValue(_tokenizer)),
            parse.GetValue(_minFreq) ?? DefaultMinimumFrequency, parse.GetValue(_maxLength) ?? 0, parse.GetValue(_unescapePtb), trainer.PretrainedModel,
            _data.Pairs(parse), truncation, headLength);
        if (truncation != TruncationPolicy.KeepHead && settings.Pairs)
        {
            throw new UsageException("--truncation applies to single texts; a sentence pair drops pieces from the longer text's end (Hugging Face's longest_first)");
        }
        if (truncation == TruncationPolicy.KeepAll && parse.GetValue(_maxLength) is not null)
        {
            throw new UsageException("--max-length cuts texts; with --truncation windows a text is read whole, in windows of the model's positions");
        }
        if (settings.Pairs && settings.PretrainedModel is null)
        {
            throw new UsageException("--pair-column needs --pretrained-model: sentence pairs are told apart by a BERT encoder's token types");
        }
        if (settings.PretrainedModel is not null && (parse.GetValue(_tokenizer) is not null || parse.GetValue(_minFreq) is not null))
        {
            throw new UsageException("--tokenizer and --min-freq do not apply with --pretrained-model: the folder's own tokenizer and vocabulary are used");
        }
        if (settings.MinimumFrequency < 1) throw new UsageException("--min-freq must be at least 1");
        if (settings.MaximumLength < 0) throw new UsageException("--max-length must be 0 or more");
        if (settings.PretrainedModel is { } folder)
        {
            // Checked before any data is read; the note comes from the process that reports (not each worker).
            var notes = processes is null && rankSettings is null or { Rank: 0 } ? console.Out : TextWriter.Null;
            settings = settings with { MaximumLength = CliPipeline.PretrainedLength(folder, settings.MaximumLength, settings.Pairs, notes) };
        }
        if (processes is not null)
        {
            return LocalLauncher.Run(args, processes.Value, _distributed.Timeout(parse), console, cancel);
        }
        // Joined before the data is read: a missing rank or a wrong address fails now, not after loading.
        using var group = rankSettings is null ? null : new ProcessGroup(rankSettings);
        trainer.ProcessGroup = group;
        return group is null or { Rank: 0 }
            ? Train(parse, console, trainer, settings, output, cancel)
            // The other ranks report nothing but errors, and end once rank 0 has written the model.
            : Train(parse, new CliConsole(TextWriter.Null, console.Error, interactive: false), trainer, settings, output, cancel);
    }

    private int Train(ParseResult parse, CliConsole console, SequenceClassificationOptions trainer, CliPipeline.Settings settings, string output, CancellationToken cancel)
    {

        var ml = new MLContext(seed: parse.GetValue(_seed) ?? 1);
        // Routine messages (epochs, saving) are what the progress display shows already.
        ml.Log += (_, e) =>
        {
            // ML.NET's own components log much at Info; only SeqClassify's trainer speaks to the user here.
            if (e.Source.StartsWith(nameof(SequenceClassificationTrainer), StringComparison.Ordinal) && e.Kind is ChannelMessageKind.Info or ChannelMessageKind.Warning or ChannelMessageKind.Error)
            {
                console.Out.WriteLine(e.RawMessage);
            }
        };
        var task = trainer.Network.Task;
        bool regression = task == SequenceTask.Regression;
        char separator = _data.Separator(parse);
        if (task != SequenceTask.MultiLabel && parse.GetValue(_data.LabelSeparator) is not null) throw new UsageException("--label-separator reads label lists: it needs --task multilabel");
        var train = ReadLabels(ml, _data.Load(ml, parse, parse.GetValue(_train)!, withLabel: true), task, separator, parse.GetValue(_train)!);
        string? validPath = parse.GetValue(_valid);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training {(regression ? "a regression " : task == SequenceTask.MultiLabel ? "a multi-label classifier " : "")}on {train.GetRowCount():N0} rows: {(trainer.PretrainedModel is { } folder ? $"pretrained encoder {folder}" : $"{NetworkSummary.Encoder(trainer.Architecture(2, 0))}, embedding {trainer.EmbeddingDimension} ({EmbeddingStart(trainer)})")}, {trainer.Pooling} pooling, {trainer.Epochs} epoch(s), batch {trainer.BatchSize}, lr {trainer.LearningRate}"));
        if (settings.PretrainedModel is { } pretrained)
        {
            // Hugging Face truncates silently; the count says how much of the data the length limit cuts.
            int limit = settings.MaximumLength;
            bool windows = settings.Truncation == TruncationPolicy.KeepAll;
            if (windows) limit = SeqClassify.Torch.Pretrained.PretrainedFolder.Sizes(pretrained)?.Positions ?? limit;
            int truncated = CliPipeline.CountTruncated(train, windows ? settings with { Truncation = TruncationPolicy.KeepHead } : settings, pretrained, limit);
            string what = windows ? "are read in windows" : "are truncated (--max-length sets the limit)";
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{truncated:N0} of {train.GetRowCount():N0} training rows are longer than {limit} ids and {what}"));
        }

        trainer.CancellationToken = cancel;
        var (model, diverged) = new TrainingProgressDisplay(console, task).Run(progress =>
        {
            trainer.Progress = progress;
            // A separate validation file goes through the same featurization as the training data.
            var valid = validPath is null ? null : ReadLabels(ml, _data.Load(ml, parse, validPath, withLabel: true), task, separator, validPath);
            return Fit(ml, settings, trainer, train, valid, separator);
        });
        var classifier = ((IEnumerable<ITransformer>)model).OfType<SequenceClassificationTransformer>().Single();
        var group = trainer.ProcessGroup;
        if (group is not null && group.Rank != 0)
        {
            group.Barrier();  // rank 0 has written the model
            return classifier.History.Cancelled ? ExitCodes.Cancelled : ExitCodes.Success;
        }
        // A model from no whole epoch (cancelled at once) never replaces a file already at --out: it goes
        // beside it, and the existing file is left as it was.
        bool keepExisting = classifier.History.Cancelled && classifier.History.Epochs.Count == 0 && File.Exists(output);
        string target = keepExisting ? PartialPath(output) : output;
        if (keepExisting) OutputFile.CheckNotAnInput("--out", target, ("--train", parse.GetValue(_train)), ("--valid", parse.GetValue(_valid)), ("--test", parse.GetValue(_test)));
        OutputFile.WriteAtomically(target, temporary => ml.Model.Save(model, train.Schema, temporary));
        group?.Barrier();
        if (keepExisting)
        {
            console.Error.WriteLine($"training cancelled before any epoch ended: {output} is left as it was; the partial model ({classifier.History.Steps} steps) is saved at {target}");
            return ExitCodes.Cancelled;
        }
        if (diverged is not null)
        {
            console.Error.WriteLine($"error: {diverged.Message} It is saved at {output}.");
            return ExitCodes.Failure;
        }
        if (classifier.History.Cancelled)
        {
            string kept = classifier.History.BestEpoch > 0
                ? $"the best model so far (epoch {classifier.History.BestEpoch})"
                : "the model as it stood after its last whole batch (no epoch had ended)";
            console.Error.WriteLine($"training cancelled: {kept} is saved at {output}");
            return ExitCodes.Cancelled;
        }
        console.Out.WriteLine($"model saved to {output} (best epoch {classifier.History.BestEpoch}, {classifier.ModelOptions.VocabularySize:N0} vocabulary entries, {classifier.ParameterCount:N0} parameters)");
        if (parse.GetValue(_test) is { } testPath)
        {
            var test = ReadLabels(ml, _data.Load(ml, parse, testPath, withLabel: true), task, separator, testPath);
            console.Out.WriteLine("test metrics:");
            if (regression)
            {
                RegressionEvaluation.Of(ml, LoadedModel.ScoreForEvaluation(model, test)).Print(console);
                return ExitCodes.Success;
            }
            if (task == SequenceTask.MultiLabel)
            {
                LabelSets.CheckKnown(test, classifier.LabelNames, separator, testPath, console.Error);
                MultiLabelPrinter.Print(console, ml.MulticlassClassification.EvaluateMultiLabel(LoadedModel.ScoreForEvaluation(model, test)));
                return ExitCodes.Success;
            }
            Evaluation.CheckLabels(test, classifier.LabelNames, testPath, console.Error);
            MetricsPrinter.Print(console, Evaluation.Of(ml, LoadedModel.ScoreForEvaluation(model, test)));
        }
        return ExitCodes.Success;
    }

    // Featurization, the trainer and (for a classifier) MapKeyToValue fitted one after the other, so that a training run that diverged
    // still gives a whole pipeline around the model it kept (TrainingDivergedException.Model).
    private static (TransformerChain<ITransformer> Model, TrainingDivergedException? Diverged) Fit(
        MLContext ml, CliPipeline.Settings settings, SequenceClassificationOptions trainer, IDataView train, IDataView? valid, char separator)
    {
        // A regression's labels are its scores (checked as numbers by RegressionLabels), a multi-label model's lists
        // of names become vectors of keys, a classifier's names keys.
        var task = trainer.Network.Task;
        IEstimator<ITransformer>? labels = task switch
        {
            SequenceTask.Regression => ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Single),
            SequenceTask.MultiLabel => ml.Transforms.Text.TokenizeIntoWords("LabelNames", "Label", [separator])
                .Append(ml.Transforms.Conversion.MapValueToKey("Label", "LabelNames", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)),
            _ => null,
        };
        // The featurization is fitted on the training data only; both sets then go through it.
        var featurize = CliPipeline.Featurize(ml, settings, labels).Fit(train);
        var estimator = task switch
        {
            SequenceTask.Regression => ml.Regression.Trainers.SequenceRegression(trainer),
            SequenceTask.MultiLabel => ml.MulticlassClassification.Trainers.SequenceMultiLabel(trainer),
            _ => ml.MulticlassClassification.Trainers.SequenceClassification(trainer),
        };
        SequenceClassificationTransformer classifier;
        TrainingDivergedException? diverged = null;
        try
        {
            classifier = valid is null ? estimator.Fit(featurize.Transform(train)) : estimator.Fit(featurize.Transform(train), featurize.Transform(valid));
        }
        catch (TrainingDivergedException e) when (e.Model is not null)
        {
            classifier = e.Model;
            diverged = e;
        }
        var withClassifier = featurize.Append<ITransformer>(classifier);
        if (task == SequenceTask.Regression) return (withClassifier, diverged);
        var toNames = ml.Transforms.Conversion.MapKeyToValue(classifier.PredictedLabelColumnName).Fit(withClassifier.Transform(train));
        return (withClassifier.Append<ITransformer>(toNames), diverged);
    }

    private TruncationPolicy Truncation(ParseResult parse) => parse.GetValue(_truncation) is { } policy
        ? Choice.Parse("--truncation", policy, ("head", TruncationPolicy.KeepHead), ("tail", TruncationPolicy.KeepTail), ("head-tail", TruncationPolicy.KeepHeadAndTail),
            ("windows", TruncationPolicy.KeepAll))
        : TruncationPolicy.KeepHead;

    // A regression's labels checked as numbers, a multi-label model's lists read as the model reads them.
    private static IDataView ReadLabels(MLContext ml, IDataView data, SequenceTask task, char separator, string path)
    {
        if (task == SequenceTask.Regression) RegressionLabels.Check(data, path);
        return task == SequenceTask.MultiLabel ? LabelSets.Normalize(ml, data, separator) : data;
    }

    private SequenceClassificationOptions TrainerOptions(ParseResult parse)
    {
        // A pretrained encoder starts from the library's fine-tuning recipe, anything else from its defaults; given flags win.
        var o = parse.GetValue(_pretrainedModel) is { } pretrainedModel ? SequenceClassificationOptions.FineTuning(pretrainedModel) : new SequenceClassificationOptions();
        o.Threads = Environment.ProcessorCount;
        _network.Apply(parse, o.Network);
        _training.Apply(parse, o);
        if (parse.GetValue(_seed) is { } seed) o.Seed = seed;
        if (parse.GetValue(_threads) is { } threads)
        {
            // 0 means "leave the process setting alone" in the library, not on the command line.
            if (threads < 1 || threads > TorchRuntime.MaxThreads) throw new UsageException($"--threads must be between 1 and {TorchRuntime.MaxThreads} (4 per logical core), got {threads}");
            o.Threads = threads;
        }
        if (parse.GetValue(_validFraction) is { } fraction) o.ValidationFraction = fraction;
        if (Truncation(parse) == TruncationPolicy.KeepAll)
        {
            // Half a window by default: of the folder's positions, or the Transformer's (less [CLS] and [SEP] for a folder).
            int? positions = o.PretrainedModel is { } folder ? SeqClassify.Torch.Pretrained.PretrainedFolder.Sizes(folder)?.Positions : o.MaxPositions;
            int body = (positions ?? o.MaxPositions) - (o.PretrainedModel is null ? 0 : 2);
            o.WindowStride = parse.GetValue(_windowStride) ?? Math.Max(1, body / 2);
            if (o.WindowStride < 1) throw new UsageException($"--window-stride must be at least 1, got {o.WindowStride}");
        }
        else if (parse.GetValue(_windowStride) is not null)
        {
            throw new UsageException("--window-stride is a window's: it needs --truncation windows");
        }
        if (parse.GetValue(_valid) is not null && parse.GetValue(_validFraction) is not null) throw new UsageException("give --valid or --valid-fraction, not both");
        switch (parse.GetValue(_pretrained))
        {
            case null:
                break;
            case var name when name.Equals("none", StringComparison.OrdinalIgnoreCase):
                o.PretrainedEmbeddings = PretrainedModelKind.None;
                break;
            case var name when name.Equals("glove100d", StringComparison.OrdinalIgnoreCase):
                o.PretrainedEmbeddings = PretrainedModelKind.GloVe100D;
                break;
            case var path:
                o.PretrainedEmbeddingsPath = path;
                break;
        }
        if (o.FreezeEmbeddings && o.PretrainedEmbeddingsPath is null && o.PretrainedEmbeddings == PretrainedModelKind.None)
        {
            throw new UsageException("--freeze needs pretrained vectors, not --pretrained none");
        }
        try
        {
            o.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"{OptionName(e.ParamName)} {e.Message.Split(" (Parameter")[0].Split('\n')[0]}");
        }
        return o;
    }

    // Given with --pretrained-model, these would be ignored: the folder decides them.
    private void RefuseWhatTheCheckpointDecides(ParseResult parse)
    {
        if (_network.GivenAmong(parse, NetworkOptions.DecidedByACheckpoint) is { Count: > 0 } shape)
        {
            throw new UsageException($"{string.Join(", ", shape)} {(shape.Count == 1 ? "does" : "do")} not apply with --pretrained-model: the folder's config.json decides the encoder's shape");
        }
        if (parse.GetValue(_pretrained) is { } vectors && !vectors.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException("--pretrained (word vectors) does not apply with --pretrained-model: the folder's own embeddings are fine-tuned");
        }
    }

    // --pretrained FILE.vec (not one of the names).
    private string? PretrainedVectorsFile(ParseResult parse) =>
        parse.GetValue(_pretrained) is { } value && !value.Equals("none", StringComparison.OrdinalIgnoreCase) && !value.Equals("glove100d", StringComparison.OrdinalIgnoreCase)
            ? value : null;

    // m.zip -> m.partial.zip, beside it.
    private static string PartialPath(string output) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, Path.GetFileNameWithoutExtension(output) + ".partial" + Path.GetExtension(output));

    private static string EmbeddingStart(SequenceClassificationOptions trainer) =>
        trainer.PretrainedEmbeddingsPath is { } path ? Path.GetFileName(path)
        : trainer.PretrainedEmbeddings == PretrainedModelKind.None ? "from scratch" : trainer.PretrainedEmbeddings.ToString();

    private static string OptionName(string? property) => property switch
    {
        nameof(SequenceClassificationOptions.ValidationFraction) => "--valid-fraction:",
        nameof(SequenceClassificationOptions.Threads) => "--threads:",
        _ => (TrainingOptions.FlagOf(property) ?? NetworkOptions.FlagOf(property)) is { } flag ? flag + ":" : "",
    };

    // The fine-tuning recipe as the library declares it (SequenceClassificationOptions.FineTuning), not restated here.
    private static string FineTuningDescription()
    {
        var recipe = SequenceClassificationOptions.FineTuning("folder");
        var defaults = new SequenceClassificationOptions();
        var changed = new TrainingOptions().Differences(recipe, defaults).Concat(new NetworkOptions().Differences(recipe.Network, defaults.Network));
        return "Fine-tune a pretrained BERT-shaped encoder from a local Hugging Face folder (config.json, model.safetensors, vocab.txt): its tokenizer " +
               $"and weights, a new head. Unless given: {string.Join(", ", changed)}, --max-length {CliPipeline.DefaultPretrainedLength} " +
               "(or the model's positions), no word vectors.";
    }

    private static CliPipeline.Tokenizer Tokenizer(string? name) => (name?.ToLowerInvariant()) switch
    {
        null or "basic_english" => CliPipeline.Tokenizer.BasicEnglish,
        "whitespace" => CliPipeline.Tokenizer.Whitespace,
        "chars" => CliPipeline.Tokenizer.Characters,
        _ => throw new UsageException($"--tokenizer must be basic_english, whitespace or chars, got '{name}'"),
    };
}
