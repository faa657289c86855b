using System.CommandLine;
using SeqClassify.Cli.Commands;

namespace SeqClassify.Cli;

/// <summary>
/// The command tree and its error policy: usage errors exit 2, failures exit 1, each as one line
/// on stderr; stack traces only with --verbose.
/// </summary>
internal static class CliApp
{
    public static int Run(string[] args, CliConsole console, TextReader input, CancellationToken cancel = default)
    {
        var verbose = new Option<bool>("--verbose") { Description = "Show stack traces on errors.", Recursive = true };
        var root = new RootCommand("""
            seqclassify: train, evaluate and serve sequence classifiers (packed RNNs, Transformers) on CSV/TSV text.

            Example:
              seqclassify train --train ../shared/datasets/sst2/train.tsv --test ../shared/datasets/sst2/test.tsv \
                --text-column sentence --label-column label --unescape-ptb --out sst2.zip
            """);
        root.Options.Add(verbose);
        root.Subcommands.Add(new TrainCommand(args).Build(console));
        root.Subcommands.Add(new EvaluateCommand().Build(console));
        root.Subcommands.Add(new PredictCommand().Build(console, input));
        root.Subcommands.Add(new ServeCommand().Build(console, verbose));
        root.Subcommands.Add(new InfoCommand().Build(console));
        root.Subcommands.Add(new ImportCommand().Build(console));
        root.Subcommands.Add(new ExportCommand().Build(console));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) console.Error.WriteLine($"error: {error.Message}");
            console.Error.WriteLine($"run 'seqclassify {CommandPath(parse)} --help' for usage");
            return ExitCodes.Usage;
        }
        try
        {
            // The engine's threads, one per core. (train's --threads sets it again.)
            SeqClassify.Torch.TorchRuntime.Threads = Environment.ProcessorCount;
            var configuration = new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,   // TerminationSignals handles SIGINT and SIGTERM
            };
            // In a process of its own, the signals cancel the commands that take a token (train, serve);
            // the others end as any program does. In-process callers bring their own token.
            bool cancellable = parse.Action is System.CommandLine.Invocation.AsynchronousCommandLineAction;
            using var signals = cancel == default && cancellable ? new TerminationSignals(console.Error) : null;
            return parse.InvokeAsync(configuration, signals?.Token ?? cancel).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            bool usage = e is UsageException;
            console.Error.WriteLine($"error: {Describe(e)}");
            if (parse.GetValue(verbose)) console.Error.WriteLine(e.ToString());
            return usage ? ExitCodes.Usage : ExitCodes.Failure;
        }
    }

    private static string CommandPath(ParseResult parse) => parse.CommandResult.Command.Name == "seqclassify" ? "" : parse.CommandResult.Command.Name;

    // The message that says what went wrong; the exception type only where the message needs it.
    private static string Describe(Exception e) => e switch
    {
        // A component ML.NET loaded through reflection failed: its own exception says what went wrong.
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Describe(inner),
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        UsageException or FileNotFoundException or InvalidDataException => e.Message,
        ArgumentException a when a.ParamName is not null => a.Message.Split(" (Parameter")[0],
        _ => e.Message,
    };
}
