using System.Text.Json.Nodes;
using SeqClassify.Testing;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// seqclassify import: tiny fine-tuned BERT and DistilBERT checkpoints (tests/fixtures/make_pretrained_fixtures.py)
/// become models that info, predict and evaluate take, with PyTorch's probabilities.
/// </summary>
[TestFixture]
public class ImportCommandTests
{
    private static string Pretrained => Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained");

    [TestCase("bert")]
    [TestCase("distilbert")]
    public void AnImportedCheckpointPredictsPyTorchsProbabilitiesAndEvaluates(string family)
    {
        string model = Path.Combine(Cli.Scratch(), $"{family}.zip");

        var import = Cli.Run("import", "--pretrained-model", Path.Combine(Pretrained, $"tiny-{family}-classifier"), "--out", model);
        var info = Cli.Run("info", "--model", model);
        var predict = Cli.Run("predict", "--model", model, "--text", "the movie is very good !", "--text", "awful", "--top-k", "3");
        string data = Path.Combine(Cli.Scratch(), "labelled.tsv");
        File.WriteAllLines(data, ["label\ttext", "positive\tthe movie is very good !", "negative\tawful"]);
        var evaluate = Cli.Run("evaluate", "--model", model, "--data", data, "--text-column", "text", "--label-column", "label", "--json");

        Assert.That(import.ExitCode, Is.EqualTo(0), import.Error);
        Assert.That(import.Out, Does.Contain("labels negative, neutral, positive"));
        Assert.That(info.Out, Does.Contain("labels:       negative, neutral, positive").And.Contain($"pretrained:   tiny-{family}-classifier"));
        var fixture = TensorArchive.Read(File.ReadAllBytes(Path.Combine(Pretrained, "tiny_transformers.sct"))).ToDictionary(t => t.Name);
        float[] logits = fixture[$"{family}.logits"].Floats!;
        var lines = predict.Out.Trim().Split('\n').Select(l => JsonNode.Parse(l)!).ToList();
        foreach (var (line, row) in lines.Zip(new[] { 0, 2 }))
        {
            var expected = Softmax(logits.AsSpan(row * 3, 3).ToArray());
            var top = line["top"]!.AsArray().ToDictionary(t => t!["label"]!.GetValue<string>(), t => t!["probability"]!.GetValue<double>());
            Assert.That(new[] { top["negative"], top["neutral"], top["positive"] }, Is.EqualTo(expected).Within(1e-5), line.ToJsonString());
        }
        Assert.That(evaluate.ExitCode, Is.EqualTo(0), evaluate.Error);
        Assert.That(JsonNode.Parse(evaluate.Out)!["microAccuracy"]!.GetValue<double>(), Is.InRange(0.0, 1.0));
    }

    [Test]
    public void APairCheckpointImportsWithPairsAndScoresThePairAsPyTorch()
    {
        // The fixture's pair row, labelled with its own target: evaluate's log-loss is -log of the probability PyTorch gives it.
        string model = Path.Combine(Cli.Scratch(), "pairs.zip"), data = Path.Combine(Cli.Scratch(), "pair.tsv");
        File.WriteAllLines(data, ["label	premise	hypothesis", "neutral	the plot was dull	but the acting is witty ."]);

        var import = Cli.Run("import", "--pretrained-model", Path.Combine(Pretrained, "tiny-bert-classifier"), "--pairs", "--out", model);
        var evaluate = Cli.Run("evaluate", "--model", model, "--data", data, "--text-column", "premise", "--pair-column", "hypothesis",
            "--label-column", "label", "--json");

        Assert.That(import.ExitCode, Is.EqualTo(0), import.Error);
        Assert.That(evaluate.ExitCode, Is.EqualTo(0), evaluate.Error);
        var fixture = TensorArchive.Read(File.ReadAllBytes(Path.Combine(Pretrained, "tiny_transformers.sct"))).ToDictionary(t => t.Name);
        double expected = Softmax(fixture["bert.logits"].Floats!.AsSpan(3, 3).ToArray())[1];
        Assert.That(Math.Exp(-JsonNode.Parse(evaluate.Out)!["logLoss"]!.GetValue<double>()), Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void LabelsRenameTheClassesAndMustNameEachOne()
    {
        string folder = Path.Combine(Pretrained, "tiny-bert-classifier");
        string model = Path.Combine(Cli.Scratch(), "renamed.zip");

        var renamed = Cli.Run("import", "--pretrained-model", folder, "--labels", "0,1,2", "--out", model);
        var tooFew = Cli.Run("import", "--pretrained-model", folder, "--labels", "0,1", "--out", model + ".2");

        Assert.That(renamed.Out, Does.Contain("labels 0, 1, 2"));
        Assert.That(tooFew.ExitCode, Is.EqualTo(2));
        Assert.That(tooFew.Error, Does.Contain("--labels names 2 classes; ").And.Contain("has 3 (negative, neutral, positive)"));
        Assert.That(File.Exists(model + ".2"), Is.False);
    }

    [Test]
    public void AFolderWithoutAClassifierIsRefused()
    {
        string model = Path.Combine(Cli.Scratch(), "base.zip");

        var result = Cli.Run("import", "--pretrained-model", Path.Combine(Pretrained, "tiny-bert"), "--out", model);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.Contain("has no sequence-classification head").And.Contain("train --pretrained-model"));
        Assert.That(File.Exists(model), Is.False);
    }

    private static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }
}

/// <summary>train --pair-column: sentence pairs from two columns, on a tiny random BERT folder.</summary>
[TestFixture]
public class SentencePairCliTests
{
    private static string TinyBert => Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained", "tiny-bert");

    private static string PairFile()
    {
        string path = Path.Combine(Cli.Scratch(), "pairs.tsv");
        var rows = new[]
        {
            "same\tthe movie is good\tthe film is great", "different\tthe movie is good\tthe film is awful",
            "same\tthe plot was dull\tthe story was boring", "different\tthe plot was dull\tthe story was fun",
        };
        File.WriteAllLines(path, ["label\tpremise\thypothesis", .. Enumerable.Repeat(rows, 4).SelectMany(r => r)]);
        return path;
    }

    [Test]
    public void PairsTrainAndEvaluateAndSingleTextCommandsSayWhatTheyTake()
    {
        string data = PairFile(), model = Path.Combine(Cli.Scratch(), "pairs.zip");
        string[] columns = ["--text-column", "premise", "--label-column", "label"];

        // Pairs of 4 + 4 pieces are 11 ids with [CLS] and two [SEP]: every row is cut to 10.
        var train = Cli.Run(["train", "--train", data, .. columns, "--pair-column", "hypothesis", "--pretrained-model", TinyBert, "--epochs", "2",
            "--lr", "0.01", "--valid-fraction", "0", "--max-length", "10", "--out", model]);
        var evaluate = Cli.Run(["evaluate", "--model", model, "--data", data, .. columns, "--pair-column", "hypothesis", "--json"]);
        var withoutPair = Cli.Run(["evaluate", "--model", model, "--data", data, .. columns]);
        var predict = Cli.Run("predict", "--model", model, "--text", "the movie is good");
        var predictPairs = Cli.Run("predict", "--model", model, "--input", data, "--text-column", "premise", "--pair-column", "hypothesis");
        var noPretrained = Cli.Run(["train", "--train", data, .. columns, "--pair-column", "hypothesis", "--out", model + ".2"]);

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Out, Does.Contain("training on 16 rows").And.Contain("16 of 16 training rows are longer than 10 ids and are truncated"));
        Assert.That(evaluate.ExitCode, Is.EqualTo(0), evaluate.Error);
        Assert.That(JsonNode.Parse(evaluate.Out)!["microAccuracy"]!.GetValue<double>(), Is.InRange(0.0, 1.0));
        Assert.That((withoutPair.ExitCode, predict.ExitCode, noPretrained.ExitCode), Is.EqualTo((2, 2, 2)));
        Assert.That(withoutPair.Error, Does.Contain("reads sentence pairs: give --pair-column"));
        Assert.That(predict.Error, Does.Contain("reads sentence pairs: give --input FILE with --text-column and --pair-column"));
        Assert.That(predictPairs.ExitCode, Is.EqualTo(0), predictPairs.Error);
        var lines = predictPairs.Out.Trim().Split('\n').Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(lines, Has.Count.EqualTo(16));
        Assert.That((lines[1]["text"]!.GetValue<string>(), lines[1]["pair"]!.GetValue<string>()), Is.EqualTo(("the movie is good", "the film is awful")));
        Assert.That(lines.Select(l => l["label"]!.GetValue<string>()), Has.All.AnyOf("same", "different"));
        Assert.That(noPretrained.Error, Does.Contain("--pair-column needs --pretrained-model"));
    }
}
