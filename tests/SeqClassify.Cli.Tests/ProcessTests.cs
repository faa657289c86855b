using System.Diagnostics;
using System.Text;

namespace SeqClassify.Cli.Tests;

/// <summary>The CLI as a real process: Ctrl+C (SIGINT) during training, and the interactive display.</summary>
[TestFixture]
public class ProcessTests
{
    [Test]
    public void CtrlCDuringTrainingSavesTheBestModelSoFarAndSaysSo()
    {
        string model = Path.Combine(Cli.Scratch(), "interrupted.zip");
        // As from a terminal: with SIGINT handled by default (a process started in the background
        // inherits it ignored, and .NET then leaves it ignored).
        var start = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", "exec", Path.Combine(AppContext.BaseDirectory, "seqclassify.dll"), "train",
            "--pretrained", "none", "--train", Cli.SmsSlice(), "--no-header", "--text-column", "1", "--label-column", "0", "--valid-fraction", "0.2",
            "--epochs", "200", "--hidden", "16", "--embedding-dim", "16", "--out", model])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var epochDone = new ManualResetEventSlim();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.StartsWith("epoch 2/") == true) epochDone.Set();
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();
        Assert.That(epochDone.Wait(TimeSpan.FromSeconds(120)), Is.True, "two epochs finish");

        Process.Start("kill", ["-INT", process.Id.ToString()])!.WaitForExit();

        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "training stops");
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(130), error.Result);
        Assert.That(error.Result, Does.Contain("training cancelled: the best model so far").And.Contain(model));
        var info = Cli.Run("info", "--model", model);
        Assert.That(info.ExitCode, Is.EqualTo(0), info.Error);
        Assert.That(info.Out, Does.Contain("cancelled"));
    }

    // Issue 29, item 2: a second signal while training stops (a second Ctrl+C, or `timeout` signalling
    // the process and then its group) is acknowledged and ignored: the best model so far is saved and
    // the exit code is 130. Before, System.CommandLine's handler threw on it: exit 134, no model.
    [TestCase("INT")]
    [TestCase("TERM")]
    public void ASecondSignalWhileStoppingStillSavesTheBestModel(string signal)
    {
        string model = Path.Combine(Cli.Scratch(), "interrupted.zip");
        var start = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", "exec", Path.Combine(AppContext.BaseDirectory, "seqclassify.dll"), "train",
            "--pretrained", "none", "--train", Cli.SmsSlice(everyNth: 1), "--no-header", "--text-column", "1", "--label-column", "0", "--valid-fraction", "0.2",
            "--epochs", "200", "--hidden", "64", "--embedding-dim", "64", "--out", model])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var epochDone = new ManualResetEventSlim();
        var stopping = new ManualResetEventSlim();
        var error = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("epoch 1/") == true) epochDone.Set();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (error) error.AppendLine(e.Data);
            if (e.Data?.Contains(": stopping (training saves the best model so far)") == true) stopping.Set();
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Assert.That(epochDone.Wait(TimeSpan.FromSeconds(180)), Is.True, "an epoch finishes");

        Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();
        // The second once the first is handled (two signals pending at once are one), while it stops.
        Assert.That(stopping.Wait(TimeSpan.FromSeconds(60)), Is.True, "the first signal is acknowledged");
        Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();

        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(120)), Is.True, "training stops");
        process.WaitForExit();
        string stderr;
        lock (error) stderr = error.ToString();
        Assert.That(process.ExitCode, Is.EqualTo(130), stderr);
        Assert.That(stderr, Does.Contain("training cancelled: the best model so far").And.Contain(model));
        Assert.That(Cli.Run("info", "--model", model).ExitCode, Is.EqualTo(0));
    }

    // Issue 22, item 9: an error in a real process is one line on stderr and nothing else (the engine
    // once loaded libtorch, whose glog printed "WARNING: Logging before InitGoogleLogging()" first).
    [Test]
    public void AnErrorInARealProcessIsOneLineOnStandardError()
    {
        string data = Path.Combine(Cli.Scratch(), "empty.tsv");
        File.WriteAllText(data, "label\ttext\n");
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "seqclassify.dll"), "train", "--pretrained", "none",
            "--train", data, "--text-column", "text", "--label-column", "label", "--out", Path.Combine(Cli.Scratch(), "m.zip")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.That(process.ExitCode, Is.EqualTo(1), output.Result);
        Assert.That(error.TrimEnd('\n').Split('\n'), Is.EqualTo(new[] { $"error: {data}: the file has no data rows after its header" }));
    }

    [Test]
    public void InATerminalProgressIsDrawnAsEpochAndBatchBars()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string model = Path.Combine(Cli.Scratch(), "m.zip");

        int code = CliApp.Run(["train", "--pretrained", "none", "--train", Cli.SmsSlice(everyNth: 8), "--no-header", "--text-column", "1", "--label-column", "0",
            "--epochs", "2", "--hidden", "16", "--embedding-dim", "16", "--out", model],
            new CliConsole(output, error, interactive: true), TextReader.Null);

        Assert.That(code, Is.EqualTo(0), error.ToString());
        string screen = output.ToString();
        Assert.That(screen, Does.Contain("\u001b["), "drawn with terminal escapes, redrawn in place");
        Assert.That(screen, Does.Contain("epoch 2/2").And.Contain("rows/s").And.Contain("loss").And.Contain("ETA"));
        Assert.That(screen, Does.Contain("batch "));
    }

    [Test]
    public void ASeparateValidationFileIsFeaturizedLikeTheTrainingData()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        var result = Cli.Run("train", "--pretrained", "none", "--train", Path.Combine(Cli.SharedDatasets, "sst2", "test.tsv"), "--valid", Path.Combine(Cli.SharedDatasets, "sst2", "dev.tsv"),
            "--text-column", "sentence", "--label-column", "label", "--epochs", "2", "--hidden", "16", "--embedding-dim", "16", "--out", model);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        Assert.That(result.Out.Split('\n').Count(l => l.StartsWith("epoch ") && l.Contains("validation accuracy")), Is.EqualTo(2));
        Assert.That(Cli.Run("info", "--model", model).Out, Does.Contain("1,821 rows, 872 validation rows"));
        Assert.That(Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0", "--valid", Cli.SmsSpam,
            "--valid-fraction", "0.1", "--out", model).Error, Does.Contain("--valid or --valid-fraction, not both"));
    }

    [Test]
    public void TrainWithTestPrintsTheTestMetrics()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        var result = Cli.Run("train", "--pretrained", "none", "--train", Path.Combine(Cli.SharedDatasets, "sst2", "dev.tsv"), "--test", Path.Combine(Cli.SharedDatasets, "sst2", "test.tsv"),
            "--text-column", "sentence", "--label-column", "label", "--epochs", "1", "--hidden", "16", "--embedding-dim", "16", "--out", model);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        Assert.That(result.Out, Does.Contain("test metrics:").And.Contain("micro accuracy").And.Contain("1,821"));
    }
}
