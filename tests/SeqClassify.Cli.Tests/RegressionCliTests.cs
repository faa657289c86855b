using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// Issue 31, item 4: `train --task regression` on STS-B's scores (two text columns joined for the RNN),
/// then `evaluate` (RMSE, MAE, R², Pearson, Spearman; --json), `predict` and `serve` answering "score", and
/// `info` naming the task; a label that is not a number is refused by its data row.
/// </summary>
[TestFixture]
public class RegressionCliTests
{
    private string _model = null!;
    private string _dev = null!;
    private Cli.Result _train = null!;

    private static string Stsb(string file) => Path.Combine(Cli.SharedDatasets, "stsb", file);

    [OneTimeSetUp]
    public void Train()
    {
        // The first 1,500 training pairs and 300 dev pairs: enough to learn more than the mean.
        string train = Path.Combine(Cli.Scratch(), "stsb-train.tsv");
        File.WriteAllLines(train, File.ReadLines(Stsb("train.tsv")).Take(1501));
        _dev = Path.Combine(Cli.Scratch(), "stsb-dev.tsv");
        File.WriteAllLines(_dev, File.ReadLines(Stsb("dev.tsv")).Take(301));
        _model = Path.Combine(Cli.Scratch(), "stsb.zip");
        _train = Cli.Run("train", "--train", train, "--valid", _dev, "--text-column", "sentence1", "--text-column", "sentence2", "--label-column", "score",
            "--task", "regression", "--huber-delta", "1.5", "--pretrained", "none", "--epochs", "2", "--hidden", "32", "--embedding-dim", "32", "--out", _model);
    }

    [Test]
    public void TrainReportsTheRegressionsValidationFiguresAndSavesItsOptions()
    {
        Assert.That(_train.ExitCode, Is.EqualTo(0), _train.Error);
        Assert.That(_train.Out, Does.Contain("training a regression on 1,500 rows"));
        Assert.That(_train.Out, Does.Match(@"epoch 2/2: loss [0-9.]+, validation RMSE [0-9.]+, Pearson -?[0-9.]+"));
        Assert.That(_train.Out, Does.Not.Contain("accuracy"));
        var engine = LoadedModel.Load(new MLContext(), _model).Classifier.Model.ReadEngineOptions();
        Assert.That((engine.Task, engine.HuberDelta, engine.NumClasses), Is.EqualTo((SequenceTask.Regression, 1.5f, 1)));
    }

    [Test]
    public void EvaluateGivesTheRegressionsMetricsInTablesAndJson()
    {
        var table = Cli.Run("evaluate", "--model", _model, "--data", _dev, "--text-column", "sentence1", "--text-column", "sentence2", "--label-column", "score");
        var json = Cli.Run("evaluate", "--model", _model, "--data", _dev, "--text-column", "sentence1", "--text-column", "sentence2", "--label-column", "score", "--json");

        Assert.That(table.ExitCode, Is.EqualTo(0), table.Error);
        Assert.That(table.Out, Does.Contain("RMSE").And.Contain("MAE").And.Contain("R squared").And.Contain("Pearson").And.Contain("Spearman"));
        Assert.That(json.ExitCode, Is.EqualTo(0), json.Error);
        var metrics = JsonNode.Parse(json.Out)!;
        Assert.That((long)metrics["rows"]!, Is.EqualTo(300));
        Assert.That((double)metrics["rmse"]!, Is.GreaterThan(0).And.LessThan(2.5), "scores are 0 to 5");
        Assert.That((double)metrics["pearson"]!, Is.GreaterThan(0), "two epochs learn more than the mean");
        Assert.That(metrics["spearman"], Is.Not.Null);
        var report = Cli.Run("evaluate", "--model", _model, "--data", _dev, "--text-column", "sentence1", "--text-column", "sentence2", "--label-column", "score",
            "--report", Path.Combine(Cli.Scratch(), "regression.html"));
        Assert.That(report.ExitCode, Is.EqualTo(2));
        Assert.That(report.Error, Does.Contain("a regression's report is not written yet"));
    }

    [Test]
    public void PredictAndInfoNameTheScoreAndTheTask()
    {
        var predict = Cli.Run("predict", "--model", _model, "--text", "a man is playing a flute . a man plays the flute .");
        var info = Cli.Run("info", "--model", _model);

        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
        var line = JsonNode.Parse(predict.Out)!;
        Assert.That(line["score"], Is.Not.Null);
        Assert.That(line["label"], Is.Null);
        Assert.That(info.Out, Does.Contain("task:         regression"));
        Assert.That(info.Out, Does.Not.Contain("labels:"));
    }

    [Test]
    public async Task ServeAnswersTheScore()
    {
        var server = InProcessServer.Start("--model", _model);
        try
        {
            var response = await server.Http.PostAsync("/predict", new StringContent("{\"texts\": [\"a dog runs . a dog is running .\", \"a cat . the stock market fell .\"]}", Encoding.UTF8, "application/json"));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            var predictions = body["predictions"]!.AsArray();
            Assert.That(predictions.Select(p => p!["score"]), Has.All.Not.Null);
            var expected = Cli.Run("predict", "--model", _model, "--text", "a dog runs . a dog is running .");
            Assert.That((double)predictions[0]!["score"]!, Is.EqualTo((double)JsonNode.Parse(expected.Out)!["score"]!).Within(1e-5));
        }
        finally
        {
            Assert.That(server.Stop()?.ExitCode, Is.EqualTo(0));
        }
    }

    [Test]
    public void ALabelThatIsNotANumberIsRefusedByItsRow()
    {
        string bad = Path.Combine(Cli.Scratch(), "stsb-bad.tsv");
        var lines = File.ReadLines(Stsb("train.tsv")).Take(40).ToList();
        var fields = lines[3].Split('\t');
        lines[3] = string.Join('\t', fields[0], fields[1], "high");
        File.WriteAllLines(bad, lines);

        var result = Cli.Run("train", "--train", bad, "--text-column", "sentence1", "--label-column", "score", "--task", "regression",
            "--pretrained", "none", "--epochs", "1", "--out", Path.Combine(Cli.Scratch(), "never.zip"));

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(result.Error, Does.Contain("data row 3: the label 'high' is not a number"));
        Assert.That(File.Exists(Path.Combine(Cli.Scratch(), "never.zip")), Is.False);
    }
}
