using System.Text;

namespace SeqClassify.Cli.Tests;

/// <summary>Runs seqclassify in-process with captured output, as a user would from a shell.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static string SharedDatasets => RepositoryPaths.Datasets;

    public static string SmsSpam => Path.Combine(SharedDatasets, "sms_spam", "SMSSpamCollection");

    public static Result Run(params string[] args) => Run(args, "", default);

    public static Result Run(string[] args, string stdin, CancellationToken cancel)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, new CliConsole(output, error, interactive: false), new StringReader(stdin), cancel);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs the CLI in this process and cancels it, as Ctrl+C would, as soon as its standard output
    /// contains <paramref name="signal"/> (an observable event, not a timer).
    /// </summary>
    public static Result RunAndCancelWhen(string[] args, string signal)
    {
        using var cancel = new CancellationTokenSource();
        var output = new StringWriter();
        var synchronized = new SynchronizedWriter(output, () =>
        {
            if (output.ToString().Contains(signal)) cancel.Cancel();
        });
        var error = new StringWriter();
        int code = CliApp.Run(args, new CliConsole(synchronized, new SynchronizedWriter(error, () => { }), interactive: false), TextReader.Null, cancel.Token);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>A writer safe for several threads (a launcher relays its workers' lines from theirs), calling back after each write.</summary>
    private sealed class SynchronizedWriter(StringWriter inner, Action written) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;
        public override void Write(char value) { lock (inner) { inner.Write(value); written(); } }
        public override void Write(string? value) { lock (inner) { inner.Write(value); written(); } }
        public override void WriteLine(string? value) { lock (inner) { inner.WriteLine(value); written(); } }
    }

    public static string Scratch()
    {
        string path = Path.Combine(Path.GetTempPath(), "seqclassify-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A small stratified slice of SMS spam as TSV (label, text), quick to train on.</summary>
    public static string SmsSlice(int everyNth = 4)
    {
        string path = Path.Combine(Scratch(), "sms.tsv");
        File.WriteAllLines(path, File.ReadLines(SmsSpam).Where((_, i) => i % everyNth == 0), new UTF8Encoding(false));
        return path;
    }
}
