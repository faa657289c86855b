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

    // Item 7: a pair model's --max-length past the checkpoint's positions (128 where the folder has 20)
    // silently cut away the pair. import and train refuse it, before any data; left out, it is cut to
    // the positions and said.
    [Test]
    public void AMaximumLengthPastTheCheckpointsPositionsIsRefusedAndTheDefaultIsCutToThem()
    {
        string folder = Path.Combine(Pretrained, "tiny-bert-classifier");

        var import = Cli.Run("import", "--pretrained-model", folder, "--pairs", "--max-length", "128", "--out", Path.Combine(Cli.Scratch(), "m.zip"));
        var train = Cli.Run("train", "--pretrained-model", Path.Combine(Pretrained, "tiny-bert"), "--train", "/no/such/data.tsv", "--text-column", "a",
            "--pair-column", "b", "--label-column", "c", "--max-length", "64", "--out", Path.Combine(Cli.Scratch(), "m.zip"));
        var cut = Cli.Run("import", "--pretrained-model", folder, "--pairs", "--out", Path.Combine(Cli.Scratch(), "cut.zip"));

        Assert.That(import.ExitCode, Is.EqualTo(2), import.Error);
        Assert.That(import.Error, Does.Contain($"--max-length 128 is more than the 20 positions of '{folder}' (max_position_embeddings in its config.json)"));
        Assert.That(train.ExitCode, Is.EqualTo(2), train.Error);
        Assert.That(train.Error, Does.Contain("--max-length 64 is more than the 20 positions"), "refused before the (missing) data is read");
        Assert.That(cut.ExitCode, Is.EqualTo(0), cut.Error);
        Assert.That(cut.Out, Does.Contain($"note: texts are cut to 20 ids, the positions of '{folder}'"));
    }

    // Item 8: a pair model that keeps 2 ids was saved, then failed every prediction.
    [Test]
    public void APairModelWithNoRoomForItsPairIsRefusedAtImport()
    {
        var result = Cli.Run("import", "--pretrained-model", Path.Combine(Pretrained, "tiny-bert-classifier"), "--pairs", "--max-length", "2",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain("--max-length must be at least 3 ([CLS] and two [SEP] of a sentence pair), got 2"));
    }

    // Item 8: a vocab.txt longer than vocab_size imported and trained, then every text with a token past
    // the embedding table failed its batch (500 in serve).
    [Test]
    public void AVocabularyLongerThanTheModelsIsRefusedAtImport()
    {
        string folder = CopyOf("tiny-bert-classifier");
        File.AppendAllLines(Path.Combine(folder, "vocab.txt"), ["extra", "tokens"]);

        var result = Cli.Run("import", "--pretrained-model", folder, "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.Contain($"'{Path.Combine(folder, "vocab.txt")}' has 42 tokens, more than the model's vocab_size 40"));
    }

    // Items 7 and 10: a vocab.txt that is not UTF-8 was read with replacement characters; a token twice
    // was "An item with the same key has already been added".
    [TestCase("not-utf8", "is not UTF-8 text (an invalid byte at offset")]
    [TestCase("duplicate", "line 5: the token '[CLS]' is also on line 3")]
    public void ABrokenVocabularyIsRefusedNamingTheFile(string damage, string message)
    {
        string folder = CopyOf("tiny-bert-classifier");
        string vocabulary = Path.Combine(folder, "vocab.txt");
        var lines = File.ReadAllLines(vocabulary).ToList();
        if (damage == "duplicate")
        {
            Assert.That(lines[2], Is.EqualTo("[CLS]"));
            lines[4] = "[CLS]";
            File.WriteAllLines(vocabulary, lines);
        }
        else
        {
            byte[] bytes = File.ReadAllBytes(vocabulary);
            bytes[^3] = 0xC3;   // a lead byte followed by a newline: not UTF-8
            bytes[^2] = 0x0A;
            File.WriteAllBytes(vocabulary, bytes);
        }

        var result = Cli.Run("import", "--pretrained-model", folder, "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.Contain(vocabulary).And.Contain(message));
    }

    // Item 10: a config value of the wrong JSON type was "requires an element of type 'Number'".
    [Test]
    public void AConfigValueOfTheWrongTypeIsNamed()
    {
        string folder = CopyOf("tiny-bert-classifier");
        string config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"hidden_size\": 16", "\"hidden_size\": \"16\""));

        var result = Cli.Run("import", "--pretrained-model", folder, "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.Contain($"'{config}': \"hidden_size\" is \"16\", expected an integer"));
    }

    // Item 7: options the checkpoint decides were accepted with --pretrained-model and ignored (exit 0).
    [TestCase("--layers", "3", "--layers does not apply with --pretrained-model")]
    [TestCase("--hidden", "64", "--hidden does not apply with --pretrained-model")]
    [TestCase("--encoder", "rnn", "--encoder does not apply with --pretrained-model")]
    [TestCase("--pretrained", "vectors.vec", "--pretrained (word vectors) does not apply with --pretrained-model")]
    public void OptionsTheCheckpointDecidesAreRefusedWithAPretrainedModel(string option, string value, string message)
    {
        var result = Cli.Run("train", "--pretrained-model", Path.Combine(Pretrained, "tiny-bert"), "--train", Cli.SmsSlice(everyNth: 8), "--no-header",
            "--text-column", "1", "--label-column", "0", "--epochs", "1", "--out", Path.Combine(Cli.Scratch(), "m.zip"), option, value);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain(message));
    }

    // Item 7: the label column as the text (or the pair) column trained with the answer in the input.
    [TestCase("--text-column", "0", "--text-column '0' is the --label-column")]
    [TestCase("--pair-column", "0", "--pair-column '0' is the --label-column")]
    public void TheLabelColumnIsNeverAnInput(string option, string value, string message)
    {
        string[] args = option == "--text-column"
            ? ["train", "--pretrained", "none", "--train", Cli.SmsSlice(everyNth: 8), "--no-header", "--text-column", value, "--label-column", "0",
                "--out", Path.Combine(Cli.Scratch(), "m.zip")]
            : ["train", "--pretrained-model", Path.Combine(Pretrained, "tiny-bert"), "--train", Cli.SmsSlice(everyNth: 8), "--no-header", "--text-column", "1",
                "--label-column", "0", option, value, "--epochs", "1", "--out", Path.Combine(Cli.Scratch(), "m.zip")];

        var result = Cli.Run(args);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain(message).And.Contain("the model would read the answer in its input"));
    }

    // Item 7: evaluate dropped rows whose label the model does not know, silently (with none known: 0 rows, every metric 0, exit 0).
    [Test]
    public void EvaluateCountsRowsWithUnknownLabelsAndFailsWhenNoneIsKnown()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        Assert.That(Cli.Run(Train(Cli.SmsSlice(everyNth: 8), model)).ExitCode, Is.EqualTo(0));
        string some = Path.Combine(Cli.Scratch(), "some.tsv"), none = Path.Combine(Cli.Scratch(), "none.tsv");
        File.WriteAllLines(some, ["ham	see you at lunch", "spam	WIN a prize now", "eggs	breakfast", "bacon	more breakfast"]);
        File.WriteAllLines(none, ["eggs	breakfast", "bacon	more breakfast"]);

        var partly = Cli.Run("evaluate", "--model", model, "--data", some, "--no-header", "--text-column", "1", "--label-column", "0");
        var not = Cli.Run("evaluate", "--model", model, "--data", none, "--no-header", "--text-column", "1", "--label-column", "0");

        Assert.That(partly.ExitCode, Is.EqualTo(0), partly.Error);
        Assert.That(partly.Error, Does.Contain($"warning: {some}: 2 of 4 rows have a label the model does not know ('eggs', 'bacon'); the metrics are over the other 2"));
        Assert.That(not.ExitCode, Is.EqualTo(1), not.Error);
        Assert.That(not.Error, Does.Contain($"{none}: none of its 2 rows has a label the model knows (the file's: 'eggs', 'bacon'; the model's: ham, spam)"));
    }

    // Item 10: --train /dev/zero read 2 GB before "Non-negative number required".
    [Test]
    public void DataThatIsNotARegularFileIsRefusedAtOnce()
    {
        var result = Cli.Run(Train("/dev/zero", Path.Combine(Cli.Scratch(), "m.zip")));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain("data file '/dev/zero' is not a regular file (a device, FIFO or socket)"));
    }

    // Item 7: the settings in ML.NET's Model.key (a vocabulary's or the classifier's maximum length,
    // lower-casing) were covered by the zip's CRC alone: a one-byte edit, CRC recomputed, changed
    // predictions with exit 0. Each step now keeps a checksummed copy (Settings.bin) and compares.
    [TestCase("SCTOKIDS", 40, "SeqClassifyTokenIds")]
    [TestCase("SCRNNCLS", 0, "SeqClassifyRnnClassifier")]
    public void AnEditedSettingInModelKeyIsRefused(string signature, int value, string step)
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        Assert.That(Cli.Run(Train(Cli.SmsSlice(everyNth: 8), model, "--max-length", "40")).ExitCode, Is.EqualTo(0));
        using (var zip = System.IO.Compression.ZipFile.Open(model, System.IO.Compression.ZipArchiveMode.Update))
        {
            // ML.NET's header is 0x100 bytes, the step's signature at 0x40; its settings follow the header.
            var entry = zip.Entries.Where(e => e.Name == "Model.key").Single(e => Bytes(e).AsSpan(0x40, 8).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(signature)));
            byte[] bytes = Bytes(entry);
            int at = signature == "SCTOKIDS" ? bytes.AsSpan(0x100).IndexOf(BitConverter.GetBytes(value)) + 0x100 : LastIntOfTheClassifiersSettings(bytes);
            Assert.That(BitConverter.ToInt32(bytes, at), Is.EqualTo(value), "found the setting");
            bytes[at] = 5;   // one byte: a maximum length of 5
            string name = entry.FullName;
            entry.Delete();
            using var stream = zip.CreateEntry(name).Open();   // the zip's CRC is written anew
            stream.Write(bytes);
        }

        var result = Cli.Run("predict", "--model", model, "--text", "WIN a FREE prize now, text CLAIM to 80086 to get your cash");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Out);
        Assert.That(result.Error, Does.Contain($"SeqClassify step '{step}'").And.Contain("entry 'Model.key'").And.Contain("differ from their checksummed copy in Settings.bin"));
    }

    // The classifier's Model.key: FeatureColumnName, FeatureSize, ScoreColumnName, PredictedLabelColumnName, MaximumLength.
    private static int LastIntOfTheClassifiersSettings(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, 0x100, bytes.Length - 0x100));
        reader.ReadString();
        reader.ReadInt32();
        reader.ReadString();
        reader.ReadString();
        return 0x100 + (int)reader.BaseStream.Position;
    }

    private static byte[] Bytes(System.IO.Compression.ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Models written before the settings were checksummed (classifier 0x00010002, steps 0x00010001/2), at
    /// commit cfeaedf: `train --pretrained none --train (every 16th row of SMSSpamCollection) --no-header
    /// --text-column 1 --label-column 0 --hidden 8 --embedding-dim 8 --epochs 1 --unescape-ptb --max-length 40`
    /// and `import --pretrained-model tiny-bert-classifier --pairs`. They load and predict as they did then.
    /// </summary>
    [Test]
    public void ModelsWrittenBeforeTheSettingsWereChecksummedLoadAndPredictAsWhenWritten()
    {
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        string data = Path.Combine(Cli.Scratch(), "pairs.tsv");
        File.WriteAllLines(data, ["label\ta\tb", "neutral\tthe plot was dull\tbut the acting is witty ."]);

        var rnn = Cli.Run("predict", "--model", Path.Combine(fixtures, "rnn-settings-unchecked-00010002.zip"), "--text", "WIN a -LRB- FREE -RRB- prize now",
            "--text", "see you at lunch");
        var pairs = Cli.Run("predict", "--model", Path.Combine(fixtures, "bert-pairs-settings-unchecked-00010002.zip"), "--input", data, "--text-column", "a",
            "--pair-column", "b");

        Assert.That(rnn.ExitCode, Is.EqualTo(0), rnn.Error);
        Assert.That(rnn.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            """{"text":"WIN a -LRB- FREE -RRB- prize now","label":"ham","top":[{"label":"ham","probability":0.662827}]}""",
            """{"text":"see you at lunch","label":"ham","top":[{"label":"ham","probability":0.635328}]}""",
        }));
        Assert.That(pairs.ExitCode, Is.EqualTo(0), pairs.Error);
        Assert.That(pairs.Out.Trim(), Is.EqualTo(
            """{"row":0,"text":"the plot was dull","pair":"but the acting is witty .","label":"neutral","top":[{"label":"neutral","probability":0.855619}]}"""));
    }

    // Item 10: a renamed Model.key was ML.NET's bare "Corrupt model file".
    [Test]
    public void ARenamedModelKeyIsNamed()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        Assert.That(Cli.Run(Train(Cli.SmsSlice(everyNth: 8), model)).ExitCode, Is.EqualTo(0));
        using (var zip = System.IO.Compression.ZipFile.Open(model, System.IO.Compression.ZipArchiveMode.Update))
        {
            var key = zip.Entries.Where(e => e.Name == "Model.key").Single(e => Bytes(e).AsSpan(0x40, 8).SequenceEqual("SCRNNCLS"u8));
            string folder = key.FullName[..^"Model.key".Length];
            byte[] bytes = Bytes(key);
            key.Delete();
            using var stream = zip.CreateEntry(folder + "Model.kez").Open();
            stream.Write(bytes);
        }

        var result = Cli.Run("info", "--model", model);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Out);
        Assert.That(result.Error, Does.Match(@"Corrupt model file \('TransformerChain/Transform_\d+/' has no Model.key: an entry was renamed or removed\)"));
    }

    // Item 10: a folder this process may not read was reported as having no config.json. (Root reads
    // anything: as root, the command runs without the capabilities that override file permissions.)
    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AnUnreadablePretrainedFolderIsSaidToBeUnreadable()
    {
        string folder = CopyOf("tiny-bert-classifier");
        File.SetUnixFileMode(folder, UnixFileMode.None);
        try
        {
            string cli = Path.Combine(AppContext.BaseDirectory, "seqclassify.dll");
            string[] command = ["dotnet", "exec", cli, "import", "--pretrained-model", folder, "--out", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".zip")];
            var start = Environment.UserName == "root"
                ? new ProcessStartInfo("setpriv", ["--bounding-set", "-dac_override,-dac_read_search", "--", .. command])
                : new ProcessStartInfo(command[0], command[1..]);
            start.RedirectStandardError = true;
            start.RedirectStandardOutput = true;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();

            Assert.That(process.ExitCode, Is.EqualTo(1), output.Result + error);
            Assert.That(error, Does.Contain($"pretrained model folder '{folder}' cannot be read by this process (permission denied)"));
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
