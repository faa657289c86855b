using System.Text.Json.Nodes;

namespace SeqClassify.Cli.Tests;

/// <summary>train → evaluate --json → predict on SMS spam, through the real command line.</summary>
[TestFixture]
public class TrainEvaluatePredictTests
{
    private string _model = null!;
    private Cli.Result _train = null!;

    [OneTimeSetUp]
    public void Train()
    {
        _model = Path.Combine(Cli.Scratch(), "spam.zip");
        _train = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0",
            "--valid-fraction", "0.1", "--epochs", "2", "--out", _model);
    }

    [Test]
    public void ACliModelLoadsInAPlainMLNetProcessAndPredictsAsTheCliDoes()
    {
        string[] texts = ["WIN a FREE prize now! Text CLAIM to 80086", "see you at lunch tomorrow"];
        var cli = Cli.Run(["predict", "--model", _model, "--top-k", "2", .. texts.SelectMany(t => new[] { "--text", t })]);
        var (exitCode, output, error) = PlainMLNetConsumerProcess.Run(_model, texts);

        Assert.That(exitCode, Is.Zero, error);
        var plain = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToList();
        var fromCli = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();
        Assert.That(plain.Select(p => p[0]), Is.EqualTo(fromCli.Select(j => j["label"]!.GetValue<string>())));
        for (int i = 0; i < texts.Length; i++)
        {
            float top = plain[i][1].Split(' ').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).Max();
            Assert.That(top, Is.EqualTo(fromCli[i]["top"]![0]!["probability"]!.GetValue<double>()).Within(1e-6), "same probabilities (the CLI rounds to 6 places)");
        }
    }

    [Test]
    public void TrainPrintsOneLinePerEpochAndSavesTheModel()
    {
        Assert.That(_train.ExitCode, Is.EqualTo(0), _train.Error);
        var lines = _train.Out.Split('\n');
        Assert.That(lines.Count(l => l.StartsWith("epoch ") && l.Contains("validation accuracy")), Is.EqualTo(2));
        Assert.That(_train.Out, Does.Contain("model saved to " + _model));
        Assert.That(File.Exists(_model));
    }

    [Test]
    public void EvaluateJsonHasTheDocumentedFields()
    {
        var result = Cli.Run("evaluate", "--model", _model, "--data", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        var json = JsonNode.Parse(result.Out)!.AsObject();
        Assert.That(json.Select(kv => kv.Key), Is.SupersetOf(new[] { "microAccuracy", "macroAccuracy", "macroF1", "logLoss", "perClass", "confusionMatrix" }));
        Assert.That(json["microAccuracy"]!.GetValue<double>(), Is.GreaterThan(0.95));
        Assert.That(json["perClass"]!["spam"]!["support"]!.GetValue<long>(), Is.EqualTo(747));
        Assert.That(json["perClass"]!["ham"]!.AsObject().Select(kv => kv.Key), Is.SupersetOf(new[] { "precision", "recall", "f1", "support" }));
        Assert.That(json["confusionMatrix"]!["counts"]!.AsArray().Sum(r => r!.AsArray().Sum(v => v!.GetValue<long>())), Is.EqualTo(5574));
    }

    [Test]
    public void EvaluatePrintsTablesAndWritesAReport()
    {
        string report = Path.Combine(Cli.Scratch(), "report.html");
        var result = Cli.Run("evaluate", "--model", _model, "--data", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0", "--report", report);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        Assert.That(result.Out, Does.Contain("micro accuracy").And.Contain("Confusion table"));
        string html = File.ReadAllText(report);
        Assert.That(html, Does.Contain("<svg").And.Contain("Confusion matrix").And.Contain("SequenceClassificationTransformer").And.Contain("validation accuracy"));
        Assert.That(html, Does.Not.Contain("<script").And.Not.Contain("src=\"http"), "self-contained");
    }

    [Test]
    public void PredictWritesJsonLinesWithTopK()
    {
        var result = Cli.Run("predict", "--model", _model, "--text", "FREE entry! Win a prize, text WIN to 80086 now", "--text", "ok see you at home", "--top-k", "2");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        var lines = result.Out.Trim().Split('\n').Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(lines.Select(l => l["label"]!.GetValue<string>()), Is.EqualTo(new[] { "spam", "ham" }));
        Assert.That(lines[0]["text"]!.GetValue<string>(), Does.StartWith("FREE entry!"));
        Assert.That(lines[0]["top"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(lines[0]["top"]!.AsArray().Sum(t => t!["probability"]!.GetValue<double>()), Is.EqualTo(1).Within(1e-4));
    }

    [Test]
    public void PredictReadsAFileOrStandardInput()
    {
        var fromFile = Cli.Run("predict", "--model", _model, "--input", Cli.SmsSpam, "--no-header", "--text-column", "1");
        var fromStdin = Cli.Run(["predict", "--model", _model, "--input", "-"], "call now to claim your prize\nhi mum\n", default);

        Assert.That(fromFile.Out.Trim().Split('\n'), Has.Length.EqualTo(5574));
        Assert.That(JsonNode.Parse(fromFile.Out.Split('\n')[0])!["row"]!.GetValue<long>(), Is.EqualTo(0));
        Assert.That(fromStdin.Out.Trim().Split('\n'), Has.Length.EqualTo(2));
    }

    [Test]
    public void CsvIsReadWithMLNetsTextLoaderQuotingMultiLineFieldsHeaderNamesAndABom()
    {
        // RFC 4180: quoted separators, doubled quotes and a newline inside a field; columns by header name, in any order.
        string csv = Path.Combine(Cli.Scratch(), "texts.csv");
        File.WriteAllText(csv, "id,\"the title\",body\n1,\"win, now\",\"a \"\"free\"\" prize\nclaim it\"\n2,hello,see you\n",
            new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var result = Cli.Run("predict", "--model", _model, "--input", csv, "--text-column", "the title", "--text-column", "body");
        var byIndex = Cli.Run("predict", "--model", _model, "--input", csv, "--text-column", "2");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        var texts = result.Out.Trim().Split('\n').Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>()).ToList();
        Assert.That(texts, Is.EqualTo(new[] { "win, now a \"free\" prize\nclaim it", "hello see you" }), "text columns joined with a space");
        Assert.That(byIndex.Out.Trim().Split('\n').Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>()),
            Is.EqualTo(new[] { "a \"free\" prize\nclaim it", "see you" }));
    }

    [Test]
    public void InfoShowsLabelsStepsAndHistory()
    {
        var result = Cli.Run("info", "--model", _model);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        Assert.That(result.Out, Does.Contain("labels:       ham, spam").And.Contain("TokenToIdMappingTransformer").And.Contain("epoch 2/2"));
    }

    [Test]
    public void AModelTrainedFromAVecFileSaysSoInTheBannerAndInInfo()
    {
        string folder = Cli.Scratch();
        string vectors = Path.Combine(folder, "tiny.vec");
        // Eight-dimension vectors for a few words of the messages: the file sets the embedding size.
        var random = new Random(1);
        File.WriteAllLines(vectors, new[] { "free", "call", "txt", "ok", "home" }.Select(w =>
            w + " " + string.Join(' ', Enumerable.Range(0, 8).Select(_ => (random.NextDouble() - 0.5).ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))));
        string model = Path.Combine(folder, "vec.zip");

        var train = Cli.Run("train", "--pretrained", vectors, "--train", Cli.SmsSlice(everyNth: 8), "--no-header", "--text-column", "1",
            "--label-column", "0", "--epochs", "1", "--hidden", "8", "--out", model);
        var info = Cli.Run("info", "--model", model);

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Out, Does.Contain("(tiny.vec)"));
        Assert.That(info.Out, Does.Match(@"embedding:\s+started from tiny\.vec, covering \d+\.\d% of the vocabulary").And.Contain("embedding 8,"));
    }
}
