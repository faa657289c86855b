using System.Diagnostics;

namespace SeqClassify.Testing;

/// <summary>
/// Runs tests/PlainOnnxConsumer, a plain ML.NET program that predicts with ApplyOnnxModel from an
/// exported .onnx (no SeqClassify assembly beside it), as its own process.
/// </summary>
internal static class PlainOnnxConsumerProcess
{
    /// <summary>Its exit code, its output (one predicted label per data row) and its error stream.</summary>
    public static (int ExitCode, string Output, string Error) Run(string onnx, string tsv, string textColumn)
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string consumer = Path.Combine(RepositoryPaths.Root, "tests", "PlainOnnxConsumer", "bin", configuration, "net10.0", "PlainOnnxConsumer.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { consumer, onnx, tsv, textColumn }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
