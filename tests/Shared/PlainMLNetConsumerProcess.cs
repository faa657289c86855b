using System.Diagnostics;

namespace SeqClassify.Testing;

/// <summary>
/// Runs tests/PlainMLNetConsumer (built with the tests, same configuration) in its own process: a
/// plain ML.NET program that loads a model and predicts, with no SeqClassify call.
/// </summary>
internal static class PlainMLNetConsumerProcess
{
    /// <summary>Its exit code, its output (per text: label, tab, scores) and its error stream.</summary>
    public static (int ExitCode, string Output, string Error) Run(string model, IEnumerable<string> texts)
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string consumer = Path.Combine(RepositoryPaths.Root, "tests", "PlainMLNetConsumer", "bin", configuration, "net10.0", "PlainMLNetConsumer.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { consumer, model }.Concat(texts)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
