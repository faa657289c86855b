using System.Diagnostics;

namespace SeqClassify.Cli.Tests;

/// <summary>A native engine that cannot be loaded is one clear error, not a DllNotFoundException.</summary>
[TestFixture]
public class NativeLoadTests
{
    // The CLI's files, as the build deployed them, in a folder of their own.
    private static string CopyOfTheCli()
    {
        string folder = Path.Combine(Cli.Scratch(), "cli-copy");
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(AppContext.BaseDirectory))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        }
        return folder;
    }

    private static (int ExitCode, string Error) Run(string folder)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(folder, "seqclassify.dll"), "info", "--model", "none.zip"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }

    [Test]
    public void AMissingEngineIsOneErrorNamingTheLibraryThePlatformAndWhereItLooked()
    {
        string folder = CopyOfTheCli();
        File.Delete(Path.Combine(folder, "libseqclassify_native.so"));

        var (code, error) = Run(folder);

        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");
        Assert.That(error, Does.StartWith("error: SeqClassify's native engine (libseqclassify_native.so) cannot be loaded on ")
            .And.Contain("linux-x64: not found in ").And.Contain(folder)
            .And.Contain("reference the SeqClassify.Torch package").And.Not.Contain("DllNotFoundException"));
    }

    [Test]
    public void AnEngineFileThatIsNotALibrarySaysWhy()
    {
        string folder = CopyOfTheCli();
        File.WriteAllText(Path.Combine(folder, "libseqclassify_native.so"), "not a library");

        var (code, error) = Run(folder);

        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(error, Does.Contain($"{Path.Combine(folder, "libseqclassify_native.so")}: ").And.Contain("cannot be loaded"));
    }
}
