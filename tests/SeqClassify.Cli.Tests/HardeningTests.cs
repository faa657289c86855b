namespace SeqClassify.Cli.Tests;

/// <summary>Issue 22 (hardening, round 3): each test is one finding of the audit, which failed before the fix.</summary>
[TestFixture]
public class HardeningTests
{
    private static string[] Train(string data, string model, params string[] more) =>
    [
        "train", "--pretrained", "none", "--train", data, "--no-header", "--text-column", "1", "--label-column", "0", "--hidden", "16",
        "--embedding-dim", "16", "--out", model, .. more,
    ];

    // Item 4: a run whose loss stops being finite stops at once, naming the step and the learning rate;
    // the last whole epoch's model is kept, and its history (non-finite numbers or not) saves.
    [Test]
    public void ADivergingRunStopsNamingTheStepAndKeepsTheLastWholeEpoch()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        // The audit's command. Which epoch the loss blows up in depends on the run; either way the
        // outcome is named (the library's test pins the kept epoch: TrainingTests).
        var result = Cli.Run(Train(Cli.SmsSlice(), model, "--encoder", "transformer", "--pooling", "mean", "--heads", "2", "--lr", "1000",
            "--epochs", "3", "--valid-fraction", "0"));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Out + result.Error);
        Assert.That(result.Error, Does.Match(@"training diverged at step \d+ \(epoch \d+, batch \d+\): the loss became (NaN|\+infinity|-infinity)"));
        Assert.That(result.Error, Does.Contain("is most likely too high: try one ten times lower"));
        Assert.That(result.Error, Does.Not.Contain("JSON"), "saving never trips over a non-finite number");
        if (result.Error.Contains("No epoch had ended"))
        {
            Assert.That(File.Exists(model), Is.False, "no model from no whole epoch");
        }
        else
        {
            Assert.That(result.Error, Does.Contain($"It is saved at {model}"));
            Assert.That(Cli.Run("info", "--model", model).ExitCode, Is.EqualTo(0));
        }
    }

    // Item 5: every option is range-checked whatever the encoder, before any data is read.
    [TestCase("--transformer-dropout", "NaN", "TransformerDropout must be in [0, 1)")]
    [TestCase("--transformer-dropout", "1e308", "TransformerDropout must be in [0, 1)")]
    [TestCase("--heads", "-1", "Heads must be between 1 and 1,024, got -1")]
    [TestCase("--ff-dim", "0", "FeedForwardSize must be between 1 and 65,536, got 0")]
    [TestCase("--max-positions", "0", "MaxPositions must be between 1 and 65,536, got 0")]
    [TestCase("--max-positions", "2147483647", "MaxPositions must be between 1 and 65,536, got 2147483647")]
    [TestCase("--threads", "0", "--threads must be between 1 and")]
    [TestCase("--lr", "1e308", "LearningRate must be positive and at most 1000000, got 1E+308")]
    public void TransformerOptionsAreCheckedWithTheRnnEncoderToo(string option, string value, string message)
    {
        // A data file that does not exist: the options are refused first.
        var result = Cli.Run(Train("/no/such/data.tsv", Path.Combine(Cli.Scratch(), "m.zip"), option, value));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain(message));
    }

    // Item 8: Ctrl+C before the first epoch ends never replaces an existing model at --out.
    [Test]
    public void CancellingBeforeAnyEpochLeavesTheExistingModelAndSaysWhereThePartialOneWent()
    {
        string directory = Cli.Scratch(), model = Path.Combine(directory, "m.zip");
        byte[] good = "a good model from an earlier run"u8.ToArray();
        File.WriteAllBytes(model, good);

        // Cancelled as soon as training starts (the line before the first batch).
        var result = Cli.RunAndCancelWhen(Train(Cli.SmsSlice(everyNth: 1), model, "--epochs", "50"), "training on ");

        Assert.That(result.ExitCode, Is.EqualTo(130), result.Error);
        Assert.That(File.ReadAllBytes(model), Is.EqualTo(good), "the existing file is untouched");
        string partial = Path.Combine(directory, "m.partial.zip");
        Assert.That(result.Error, Does.Contain($"{model} is left as it was").And.Contain($"saved at {partial}"));
        Assert.That(Cli.Run("info", "--model", partial).ExitCode, Is.EqualTo(0), "the partial model is whole");
    }

    // Item 9: a file with no data rows is named as such.
    [TestCase("label\ttext\n", false)]
    [TestCase("", true)]
    public void AFileWithoutRowsIsNamed(string content, bool noHeader)
    {
        string data = Path.Combine(Cli.Scratch(), "empty.tsv");
        File.WriteAllText(data, content);
        string[] header = noHeader ? ["--no-header", "--text-column", "1", "--label-column", "0"] : ["--text-column", "text", "--label-column", "label"];

        var result = Cli.Run(["train", "--pretrained", "none", "--train", data, .. header, "--out", Path.Combine(Cli.Scratch(), "m.zip")]);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.Contain($"{data}: the file has no data rows"));
    }

    // Item 9: a model that cannot be loaded says why, not "Exception has been thrown by the target of an invocation".
    [Test]
    public void AModelThatCannotBeLoadedSaysWhy()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        Assert.That(Cli.Run(Train(Cli.SmsSlice(), model, "--epochs", "1")).ExitCode, Is.EqualTo(0));
        // The model's tensor archive damaged in place: ML.NET loads the transformer through reflection.
        using (var zip = System.IO.Compression.ZipFile.Open(model, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.Entries.First(e => e.FullName.Contains("Parameters", StringComparison.OrdinalIgnoreCase) || e.Length > 10_000);
            string name = entry.FullName;
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(name).Open());
            writer.Write("not what was there");
        }

        var result = Cli.Run("predict", "--model", model, "--text", "hello");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.Not.Contain("target of an invocation"));
        Assert.That(result.Error.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
    }

    // Item 10: classes with a single row are worth a warning.
    [Test]
    public void ClassesWithASingleRowAreWarnedOf()
    {
        string data = Path.Combine(Cli.Scratch(), "ids.tsv");
        File.WriteAllLines(data, Enumerable.Range(0, 40).Select(i => $"{(i < 20 ? "spam" : $"id{i}")}\tsome text number {i}"));

        var result = Cli.Run(Train(data, Path.Combine(Cli.Scratch(), "m.zip"), "--epochs", "1", "--valid-fraction", "0"));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        Assert.That(result.Out, Does.Contain("20 of 21 classes have a single training row (e.g. 'id20')"));
    }

    // Item 11: evaluate --report is checked as train --out is, and written atomically.
    [Test]
    public void TheReportNeverOverwritesTheModelOrTheData()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip"), data = Cli.SmsSlice();
        Assert.That(Cli.Run(Train(data, model, "--epochs", "1")).ExitCode, Is.EqualTo(0));
        byte[] before = File.ReadAllBytes(model);
        string[] Evaluate(string report) => ["evaluate", "--model", model, "--data", data, "--no-header", "--text-column", "1", "--label-column", "0", "--report", report];

        var overModel = Cli.Run(Evaluate(model));
        var overData = Cli.Run(Evaluate(data));
        string report = Path.Combine(Cli.Scratch(), "r.html");
        var fine = Cli.Run(Evaluate(report));

        Assert.That((overModel.ExitCode, overData.ExitCode), Is.EqualTo((2, 2)));
        Assert.That(overModel.Error, Does.Contain($"--report '{model}' is the --model file"));
        Assert.That(overData.Error, Does.Contain($"--report '{data}' is the --data file"));
        Assert.That(File.ReadAllBytes(model), Is.EqualTo(before));
        Assert.That(fine.ExitCode, Is.EqualTo(0), fine.Error);
        Assert.That(File.ReadAllText(report), Does.Contain("<html"));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(report)!), Is.EqualTo(new[] { report }), "no temporary left beside it");
    }
}
