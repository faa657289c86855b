namespace SeqClassify.Cli.Tests;

/// <summary>Errors are one line on stderr: exit 2 for usage, 1 for failures; stack traces only with --verbose.</summary>
[TestFixture]
public class ErrorTests
{
    [Test]
    public void AMissingRequiredOptionIsAUsageError()
    {
        var result = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSpam);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("'--out' is required").And.Contain("seqclassify train --help"));
    }

    [Test]
    public void AnUnknownCommandIsAUsageError()
    {
        Assert.That(Cli.Run("fly").ExitCode, Is.EqualTo(2));
    }

    [TestCase("--cell", "transformer", "--cell must be rnn, rnn-relu, gru or lstm")]
    [TestCase("--epochs", "0", "--epochs:")]
    [TestCase("--tokenizer", "bpe", "--tokenizer must be")]
    [TestCase("--threads", "10000", "--threads must be between 1 and ")]
    [TestCase("--dropout", "1.5", "--dropout: Dropout must be in [0, 1), got 1.5")]
    [TestCase("--batch-size", "1000000000", "--batch-size: BatchSize must be at most 65536, got 1000000000")]
    [TestCase("--valid-fraction", "NaN", "--valid-fraction: ValidationFraction must be in [0, 1)")]
    public void AnOptionOutOfRangeIsAUsageError(string option, string value, string message)
    {
        var result = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"), option, value);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain(message));
    }

    [TestCase("http://127.0.0.1:99999")]
    [TestCase("127.0.0.1:5080")]
    [TestCase("http://127.0.0.1:port")]
    public void AnAddressServeCannotListenOnIsAUsageErrorNamingIt(string url)
    {
        // The model does not exist either: the address is checked first.
        var result = Cli.Run("serve", "--model", "/no/such/model.zip", "--urls", url);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain($"--urls: '{url}' is not an address to listen on").And.Contain("port from 0 to 65535"));
    }

    [Test]
    public void BytesThatAreNotUtf8AreRefusedByFileAndLine()
    {
        string path = Path.Combine(Cli.Scratch(), "latin1.tsv");
        // Line 3 holds "café" in Latin-1: 0xE9 alone is not UTF-8.
        File.WriteAllBytes(path, [.. "label\ttext\npos\tgood film\nneg\tbad caf"u8, 0xE9, .. " film\n"u8]);

        var result = Cli.Run("train", "--pretrained", "none", "--train", path, "--text-column", "text", "--label-column", "label",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.Contain(path + ":3: byte 0xE9 (byte 12 of the line) is not UTF-8"));
    }

    // 2,000 rows over 1,000 labels: a split stratified by label can hold out none of them.
    [TestCase(null, 0, "no automatic validation split: holding out 5% per label leaves no rows with 1000 labels over 2000 rows")]
    [TestCase("0.05", 1, "ValidationFraction 0.05 leaves no rows on the validation side: the split is stratified by label, and 2000 rows over 1000 labels are too few per label")]
    public void AValidationSplitThatCannotHoldRowsOutIsExplained(string? fraction, int exitCode, string message)
    {
        string path = Path.Combine(Cli.Scratch(), "many.tsv");
        File.WriteAllLines(path, ["label\ttext", .. Enumerable.Range(0, 2000).Select(i => $"c{i % 1000}\tword{i % 1000} and more")]);
        string[] split = fraction is null ? [] : ["--valid-fraction", fraction];

        var result = Cli.Run(["train", "--pretrained", "none", "--train", path, "--text-column", "text", "--label-column", "label", "--epochs", "1",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"), .. split]);

        Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.Error);
        Assert.That(exitCode == 0 ? result.Out : result.Error, Does.Contain(message));
    }

    [Test]
    public void TrainingTextsThatAreAllEmptyAreRefused()
    {
        string path = Path.Combine(Cli.Scratch(), "empty.tsv");
        File.WriteAllText(path, "label\ttext\npos\t\nneg\t\npos\t\nneg\t\n");
        string model = Path.Combine(Cli.Scratch(), "m.zip");

        var result = Cli.Run("train", "--pretrained", "none", "--train", path, "--text-column", "text", "--label-column", "label", "--out", model);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.Contain("holds no known token in any of the 4 training rows").And.Contain("the texts are empty"));
        Assert.That(File.Exists(model), Is.False);
    }

    [Test]
    public void OptionsAreCheckedBeforeAnyDataIsRead()
    {
        // The training file does not exist: an option error must come first, as a usage error.
        var result = Cli.Run("train", "--pretrained", "none", "--train", "/no/such.csv", "--text-column", "text", "--label-column", "label",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"), "--dropout", "1.5");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("--dropout:").And.Not.Contain("/no/such.csv"));
    }

    [Test]
    public void AnEmbeddingSizeOtherThanTheDefaultVectorsAsksForPretrainedNone()
    {
        var result = Cli.Run("train", "--train", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"), "--embedding-dim", "16");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("--embedding-dim: EmbeddingDimension 16 does not match the 100 dimensions of the pretrained GloVe100D vectors")
            .And.Contain("--pretrained none"));
    }

    [Test]
    public void FreezingNoVectorsIsAUsageError()
    {
        var result = Cli.Run("train", "--pretrained", "none", "--freeze", "--train", Cli.SmsSpam, "--no-header", "--text-column", "1",
            "--label-column", "0", "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("--freeze needs pretrained vectors"));
    }

    [Test]
    public void AMissingFileIsAFailureNamingIt()
    {
        var result = Cli.Run("train", "--pretrained", "none", "--train", "/no/such.csv", "--text-column", "text", "--label-column", "label", "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error.Trim(), Is.EqualTo("error: data file '/no/such.csv' does not exist"));
    }

    [TestCase("label\ttext\npos\tgood\nneg\n", ".tsv", ":3: 1 field(s), but column 1 (0-based) is read")]
    [TestCase("label\ttext\npos\tgood\n//not a comment\tfilm\n", ".tsv", ":3: the row starts with \"//\"")]
    [TestCase("label,text\npos,\"good\nneg,bad\n", ".csv", ":2: a quoted field opened on this line is never closed")]
    [TestCase("label\ttext\npos\tgood\nneg\tbad\tfilm\n", ".tsv", ":3: 3 fields, but the header has 2: a text contains the separator")]
    [TestCase("label,text\npos,good\nneg,bad,film\n", ".csv", ":3: 3 fields, but the header has 2: quote a field that contains the separator")]
    public void RowsMLNetsTextLoaderWouldMisreadAreRefusedByFileAndLine(string content, string extension, string expected)
    {
        string path = Path.Combine(Cli.Scratch(), "data" + extension);
        File.WriteAllText(path, content);

        var result = Cli.Run("train", "--pretrained", "none", "--train", path, "--text-column", "text", "--label-column", "label",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.StartWith("error: " + path + expected));
    }

    [Test]
    public void AColumnThatDoesNotExistIsNamedWithTheHeader()
    {
        var result = Cli.Run("train", "--pretrained", "none", "--train", Path.Combine(Cli.SharedDatasets, "sst2", "dev.tsv"), "--text-column", "review",
            "--label-column", "label", "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        // A usage error, found from the header before any row is read.
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("'review' is not in the header").And.Contain("label, sentence"));
        Assert.That(result.Error.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
    }

    [Test]
    public void AnUnwritableOutIsRefusedBeforeTraining()
    {
        string blocked = Path.Combine(Cli.Scratch(), "not-a-dir");
        File.WriteAllText(blocked, "a file where a directory is expected");

        var result = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0",
            "--out", Path.Combine(blocked, "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("cannot write"));
        Assert.That(result.Out, Does.Not.Contain("training on"), "nothing was trained");
    }

    [Test]
    public void VerboseAddsTheStackTrace()
    {
        string notAModel = Path.Combine(Cli.Scratch(), "x.zip");
        File.WriteAllText(notAModel, "not a zip");

        var quiet = Cli.Run("info", "--model", notAModel);
        var verbose = Cli.Run("info", "--model", notAModel, "--verbose");

        Assert.That(quiet.ExitCode, Is.EqualTo(1));
        Assert.That(quiet.Error, Does.StartWith("error: model '").And.Contain("cannot be loaded").And.Not.Contain("   at "));
        Assert.That(verbose.Error, Does.Contain("   at "));
    }

    [Test]
    public void EveryCommandHasHelpWithExamples()
    {
        foreach (var command in new[] { "train", "evaluate", "predict", "serve", "info" })
        {
            var result = Cli.Run(command, "--help");
            Assert.That(result.ExitCode, Is.EqualTo(0), command);
            Assert.That(result.Out, Does.Contain("Example").And.Contain("--model").Or.Contain("--train"), command);
        }
    }
}
