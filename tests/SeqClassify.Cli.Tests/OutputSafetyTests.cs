namespace SeqClassify.Cli.Tests;

/// <summary>Where a model is written: never over an input, and no debris from interrupted saves.</summary>
[TestFixture]
public class OutputSafetyTests
{
    [TestCase("--train")]
    [TestCase("--test")]
    public void AnOutputThatIsAnInputIsRefusedBeforeTraining(string option)
    {
        string data = Cli.SmsSlice(everyNth: 10);
        byte[] before = File.ReadAllBytes(data);
        string[] args = option == "--train"
            ? ["train", "--pretrained", "none", "--train", data, "--out", data]
            : ["train", "--pretrained", "none", "--train", Cli.SmsSlice(everyNth: 10), "--test", data, "--out", data];

        var result = Cli.Run([.. args, "--no-header", "--text-column", "1", "--label-column", "0", "--epochs", "1"]);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain($"--out '{data}' is the {option} file"));
        Assert.That(File.ReadAllBytes(data), Is.EqualTo(before), "the data file is untouched");
    }

    [Test]
    public void AnOutputReachedThroughALinkToAnInputIsRefused()
    {
        string data = Cli.SmsSlice(everyNth: 10);
        string link = Path.Combine(Path.GetDirectoryName(data)!, "model.zip");
        File.CreateSymbolicLink(link, data);

        var result = Cli.Run("train", "--pretrained", "none", "--train", data, "--out", link, "--no-header", "--text-column", "1", "--label-column", "0");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("is the --train file"));
    }

    [Test]
    public void ASaveRemovesTemporariesThatAKilledSaveLeftAndKeepsThoseOfARunningOne()
    {
        string directory = Cli.Scratch();
        string model = Path.Combine(directory, "m.zip");
        // A writer that no longer runs (process ids stop below 2^22 on Linux), and one that does (this test).
        string stale = Path.Combine(directory, $".m.zip.4194303.{Guid.NewGuid():N}.tmp");
        string live = Path.Combine(directory, $".m.zip.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string foreign = Path.Combine(directory, ".m.zip.other.tmp");
        foreach (var f in new[] { stale, live, foreign }) File.WriteAllText(f, "partial");

        var result = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSlice(everyNth: 10), "--no-header", "--text-column", "1",
            "--label-column", "0", "--epochs", "1", "--out", model);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        Assert.That(File.Exists(model));
        Assert.That(File.Exists(stale), Is.False, "left by a writer that no longer runs");
        Assert.That(File.Exists(live), "a running writer's file is kept");
        Assert.That(File.Exists(foreign), "a file not named by a save is kept");
        Assert.That(Directory.GetFiles(directory, ".m.zip.*.tmp"), Has.Length.EqualTo(2), "this save left none of its own");
    }
}
