using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// Issue 31, item 4: `train --task multilabel` on GoEmotions' comma-separated label lists (a slice), then
/// `evaluate` (macro/micro F1, Hamming loss, subset accuracy, label-ranking average precision, per label),
/// `predict` and `serve` answering the label set with the top probabilities, and `info` listing the thresholds.
/// </summary>
[TestFixture]
public class MultiLabelCliTests
{
    private string _model = null!;
    private string _dev = null!;
    private Cli.Result _train = null!;

    private static string GoEmotions(string file) => Path.Combine(Cli.SharedDatasets, "goemotions", file);

    [OneTimeSetUp]
    public void Train()
    {
        string train = Path.Combine(Cli.Scratch(), "goemotions-train.tsv");
        File.WriteAllLines(train, File.ReadLines(GoEmotions("train.tsv")).Take(2001));
        _dev = Path.Combine(Cli.Scratch(), "goemotions-dev.tsv");
        File.WriteAllLines(_dev, File.ReadLines(GoEmotions("dev.tsv")).Take(401));
        _model = Path.Combine(Cli.Scratch(), "goemotions.zip");
        _train = Cli.Run("train", "--train", train, "--valid", _dev, "--text-column", "text", "--label-column", "labels", "--task", "multilabel",
            "--pretrained", "none", "--epochs", "2", "--hidden", "32", "--embedding-dim", "32", "--out", _model);
    }

    [Test]
    public void TrainReportsMacroAndMicroF1AndChoosesThresholds()
    {
        Assert.That(_train.ExitCode, Is.EqualTo(0), _train.Error);
        Assert.That(_train.Out, Does.Contain("training a multi-label classifier on 2,000 rows"));
        Assert.That(_train.Out, Does.Match(@"epoch 2/2: loss [0-9.]+, train exact sets [0-9.]+ %, validation macro-F1 [0-9.]+, micro-F1 [0-9.]+"));
        Assert.That(_train.Out, Does.Contain("decision thresholds chosen per label on the 400 validation rows"));
        var model = LoadedModel.Load(new MLContext(), _model).Classifier;
        Assert.That(model.ModelOptions.Task, Is.EqualTo(SequenceTask.MultiLabel));
        Assert.That(model.LabelNames, Does.Contain("admiration").And.Contain("neutral"), "each name of the lists, not the lists");
        Assert.That(model.Thresholds, Has.Count.EqualTo(model.LabelNames.Count));
    }

    [Test]
    public void EvaluateGivesTheMultiLabelMetrics()
    {
        var json = Cli.Run("evaluate", "--model", _model, "--data", _dev, "--text-column", "text", "--label-column", "labels", "--json");
        var table = Cli.Run("evaluate", "--model", _model, "--data", _dev, "--text-column", "text", "--label-column", "labels");

        Assert.That(json.ExitCode, Is.EqualTo(0), json.Error);
        var metrics = JsonNode.Parse(json.Out)!;
        Assert.That((long)metrics["rows"]!, Is.EqualTo(400));
        foreach (string name in new[] { "macroF1", "microF1", "hammingLoss", "subsetAccuracy", "labelRankingAveragePrecision" })
        {
            Assert.That((double)metrics[name]!, Is.InRange(0.0, 1.0), name);
        }
        Assert.That(metrics["perLabel"]!["neutral"]!["support"]!.GetValue<long>(), Is.GreaterThan(0));
        Assert.That(table.Out, Does.Contain("macro F1").And.Contain("Hamming loss").And.Contain("label ranking avg precision"));
    }

    [Test]
    public void PredictServeAndInfoGiveTheLabelSet()
    {
        var predict = Cli.Run("predict", "--model", _model, "--text", "thank you so much, I love it", "--top-k", "3");
        var info = Cli.Run("info", "--model", _model);

        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
        var line = JsonNode.Parse(predict.Out)!;
        Assert.That(line["labels"], Is.InstanceOf<JsonArray>());
        Assert.That(line["top"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(info.Out, Does.Contain("task:         multi-label").And.Contain("thresholds:   admiration "));
    }

    [Test]
    public async Task ServeAnswersTheLabelSet()
    {
        var server = InProcessServer.Start("--model", _model);
        try
        {
            var response = await server.Http.PostAsync("/predict", new StringContent("{\"text\": \"thank you so much, I love it\"}", Encoding.UTF8, "application/json"));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            var predicted = JsonNode.Parse(Cli.Run("predict", "--model", _model, "--text", "thank you so much, I love it", "--top-k", "28").Out)!;

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            Assert.That(body["labels"]!.ToJsonString(), Is.EqualTo(predicted["labels"]!.ToJsonString()));
        }
        finally
        {
            Assert.That(server.Stop()?.ExitCode, Is.EqualTo(0));
        }
    }

    [Test]
    public void OneThresholdForEveryLabelAndAnotherSeparatorAreKept()
    {
        string semicolons = Path.Combine(Cli.Scratch(), "goemotions-semicolons.tsv");
        File.WriteAllLines(semicolons, File.ReadLines(_dev).Select(l => l.Replace(',', ';')));
        string model = Path.Combine(Cli.Scratch(), "goemotions-fixed.zip");

        var train = Cli.Run("train", "--train", semicolons, "--text-column", "text", "--label-column", "labels", "--task", "multilabel", "--label-separator", ";",
            "--threshold", "0.3", "--pretrained", "none", "--epochs", "1", "--hidden", "16", "--embedding-dim", "16", "--out", model);

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        var classifier = LoadedModel.Load(new MLContext(), model).Classifier;
        Assert.That(classifier.Thresholds, Is.All.EqualTo(0.3f));
        Assert.That(classifier.History.Settings!.DecisionThreshold, Is.EqualTo(0.3));
        Assert.That(classifier.LabelNames, Has.None.Contains(";"), "the lists split at ';'");
    }

    [Test]
    public void ALabelSeparatorWithoutMultiLabelIsAUsageError()
    {
        var result = Cli.Run("train", "--train", _dev, "--text-column", "text", "--label-column", "labels", "--label-separator", ";",
            "--pretrained", "none", "--epochs", "1", "--out", Path.Combine(Cli.Scratch(), "never.zip"));
        var bad = Cli.Run("train", "--train", _dev, "--text-column", "text", "--label-column", "labels", "--task", "multilabel", "--label-separator", "ab",
            "--pretrained", "none", "--epochs", "1", "--out", Path.Combine(Cli.Scratch(), "never.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("--label-separator reads label lists: it needs --task multilabel"));
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.Error, Does.Contain("--label-separator must be one character"));
    }
}
