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
