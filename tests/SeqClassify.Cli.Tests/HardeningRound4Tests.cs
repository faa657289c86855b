using System.Diagnostics;
using SeqClassify.Testing;

namespace SeqClassify.Cli.Tests;

/// <summary>Issue 29 (hardening, round 4): each test is one finding of the audit, which failed before the fix.</summary>
[TestFixture]
public class HardeningRound4Tests
{
    private static string Pretrained => Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained");

    private static string[] Train(string data, string model, params string[] more) =>
    [
        "train", "--pretrained", "none", "--train", data, "--no-header", "--text-column", "1", "--label-column", "0", "--hidden", "16",
        "--embedding-dim", "16", "--epochs", "1", "--out", model, .. more,
    ];

    /// <summary>A copy of a tiny checkpoint folder in scratch, so that a regression overwrites the copy, not the fixture.</summary>
    private static string CopyOf(string name)
    {
        string copy = Path.Combine(Cli.Scratch(), name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(Path.Combine(Pretrained, name))) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private static Dictionary<string, byte[]> Contents(string folder) => Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    // Item 3: import --out onto a file of the checkpoint folder it reads (not only model.safetensors).
    [TestCase("config.json")]
    [TestCase("vocab.txt")]
    [TestCase("tokenizer_config.json")]
    public void ImportNeverWritesOverAFileOfItsPretrainedFolder(string file)
    {
        string folder = CopyOf("tiny-bert-classifier");
        var before = Contents(folder);

        var result = Cli.Run("import", "--pretrained-model", folder, "--out", Path.Combine(folder, file));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain($"--out '{Path.Combine(folder, file)}' is a file of the --pretrained-model folder '{folder}'"));
        Assert.That(Contents(folder), Is.EqualTo(before), "the folder is as it was");
    }

    [Test]
    public void TrainNeverWritesOverAFileOfItsPretrainedModelFolder()
    {
        string folder = CopyOf("tiny-bert");
        var before = Contents(folder);

        var result = Cli.Run("train", "--pretrained-model", folder, "--train", Cli.SmsSlice(), "--no-header", "--text-column", "1", "--label-column", "0",
            "--epochs", "1", "--out", Path.Combine(folder, "vocab.txt"));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain("is a file of the --pretrained-model folder"));
        Assert.That(Contents(folder), Is.EqualTo(before));
    }

    [Test]
    public void TrainNeverWritesOverItsPretrainedVectorsFile()
    {
        string vectors = Path.Combine(Cli.Scratch(), "vectors.vec");
        File.WriteAllLines(vectors, ["2 3", "free 0.1 0.2 0.3", "call 0.3 0.2 0.1"]);
        byte[] before = File.ReadAllBytes(vectors);

        var result = Cli.Run(Train(Cli.SmsSlice(), vectors).Select(a => a == "none" ? vectors : a).ToArray());

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain($"--out '{vectors}' is the --pretrained file"));
        Assert.That(File.ReadAllBytes(vectors), Is.EqualTo(before));
    }

    // Item 3: an output that is a FIFO (or a device, or a socket) is refused and left as it is; before,
    // the atomic rename replaced it with a regular file (as root, --onnx /dev/full replaced /dev/full).
    [TestCase("train")]
    [TestCase("export")]
    [TestCase("evaluate")]
    [TestCase("import")]
    public void AnOutputThatIsNotARegularFileIsRefusedAndLeftAlone(string command)
    {
        string fifo = Path.Combine(Cli.Scratch(), "out.pipe");
        Process.Start("mkfifo", [fifo])!.WaitForExit();
        Assert.That(FileKind.Of(fifo), Is.EqualTo(FileKind.Kind.Special), "mkfifo made a FIFO");
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        if (command is "export" or "evaluate") Assert.That(Cli.Run(Train(Cli.SmsSlice(everyNth: 8), model)).ExitCode, Is.EqualTo(0));

        var result = command switch
        {
            "train" => Cli.Run(Train(Cli.SmsSlice(), fifo)),
            "export" => Cli.Run("export", "--model", model, "--onnx", fifo),
            "evaluate" => Cli.Run("evaluate", "--model", model, "--data", Cli.SmsSlice(everyNth: 8), "--no-header", "--text-column", "1", "--label-column", "0", "--report", fifo),
            _ => Cli.Run("import", "--pretrained-model", Path.Combine(Pretrained, "tiny-bert-classifier"), "--out", fifo),
        };

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain($"cannot write '{fifo}': it is not a regular file (a device, FIFO or socket)"));
        Assert.That(FileKind.Of(fifo), Is.EqualTo(FileKind.Kind.Special), "still the FIFO");
    }

    [Test]
    public void TheFileKindOfDevicesFoldersAndFilesIsTold()
    {
        Assert.That(FileKind.Of("/dev/null"), Is.EqualTo(FileKind.Kind.Special));
        Assert.That(FileKind.Of(Path.GetTempPath()), Is.EqualTo(FileKind.Kind.Directory));
        Assert.That(FileKind.Of(Cli.SmsSpam), Is.EqualTo(FileKind.Kind.Regular));
        Assert.That(FileKind.Of("/no/such/file"), Is.EqualTo(FileKind.Kind.Missing));
    }

    // Item 6: sizes get upper bounds named by their flags, before any data is read (today "out of memory").
    [TestCase("--hidden", "100000", "--hidden: HiddenSize must be between 1 and 65,536, got 100000")]
    [TestCase("--layers", "100000", "--layers: NumLayers must be between 1 and 256, got 100000")]
    [TestCase("--embedding-dim", "100000", "--embedding-dim: InputSize must be between 1 and 65,536, got 100000")]
    [TestCase("--nproc", "4096", "--nproc must be between 1 and")]
    public void SizesBeyondTheirBoundsAreUsageErrorsNamingTheFlag(string option, string value, string message)
    {
        var result = Cli.Run("train", "--pretrained", "none", "--train", "/no/such/data.tsv", "--no-header", "--text-column", "1", "--label-column", "0",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"), option, value);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain(message));
    }

    [Test]
    public void ServeRefusesABatchTokenBudgetBeyondItsBound()
    {
        var result = Cli.Run("serve", "--model", "/no/such/model.zip", "--batch-tokens", "1000000000");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain("--batch-tokens must be at most 1,048,576"));
    }
}
