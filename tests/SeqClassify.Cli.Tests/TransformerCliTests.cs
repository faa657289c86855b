using System.Text.Json.Nodes;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// The Transformer encoder and attention pooling through the command line: train, info, predict
/// --explain; their usage errors; and a model file of the previous format (RNN only) still loading.
/// </summary>
[TestFixture]
public class TransformerCliTests
{
    private string _model = null!;
    private Cli.Result _train = null!;

    [OneTimeSetUp]
    public void Train()
    {
        _model = Path.Combine(Cli.Scratch(), "transformer.zip");
        _train = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSlice(), "--no-header", "--text-column", "1", "--label-column", "0",
            "--encoder", "transformer", "--layers", "2", "--hidden", "32", "--embedding-dim", "24", "--heads", "4", "--ff-dim", "48",
            "--activation", "gelu", "--norm-first", "--positional", "learned", "--max-positions", "40", "--pooling", "attention",
            "--epochs", "3", "--out", _model);
    }

    [Test]
    public void TrainSaysWhatItBuildsAndLearnsSpam()
    {
        Assert.That(_train.ExitCode, Is.EqualTo(0), _train.Error);
        Assert.That(_train.Out, Does.Contain("Transformer x2 (width 32, 4 heads, feed-forward 48, Gelu, pre-norm, Learned positions up to 40, dropout 0.1), embedding 24"));
        Assert.That(_train.Out, Does.Contain("each sequence keeps its first 40 steps at most"));
        var evaluate = Cli.Run("evaluate", "--model", _model, "--data", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0", "--json");
        Assert.That(evaluate.ExitCode, Is.EqualTo(0), evaluate.Error);
        Assert.That(JsonNode.Parse(evaluate.Out)!["microAccuracy"]!.GetValue<double>(), Is.GreaterThan(0.9), "well above the 87% of always saying ham");
    }

    [Test]
    public void InfoShowsTheTransformersOptions()
    {
        var info = Cli.Run("info", "--model", _model);

        Assert.That(info.ExitCode, Is.EqualTo(0), info.Error);
        Assert.That(info.Out, Does.Contain("network:      Transformer x2 (width 32, 4 heads, feed-forward 48, Gelu, pre-norm, Learned positions up to 40, dropout 0.1), embedding 24, Attention pooling"));
    }

    [Test]
    public void PredictExplainListsTheMostAttendedTokensWithTheirWeights()
    {
        var result = Cli.Run("predict", "--model", _model, "--text", "WIN a FREE prize now! Text CLAIM to 80086", "--text", "ok see you later", "--explain", "3");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(lines, Has.Count.EqualTo(2));
        var attention = lines[0]["attention"]!.AsArray();
        Assert.That(attention, Has.Count.EqualTo(3));
        var weights = attention.Select(a => a!["weight"]!.GetValue<double>()).ToList();
        Assert.That(weights, Is.Ordered.Descending);
        Assert.That(weights, Is.All.InRange(0.0, 1.0));
        string[] tokens = ["win", "a", "free", "prize", "now", "!", "text", "claim", "to", "80086", "<unk>"];
        Assert.That(attention.Select(a => a!["token"]!.GetValue<string>()), Is.SubsetOf(tokens));
        // A 4-token text has 4 weights in all; asked for 3, it lists 3, which sum to less than 1.
        Assert.That(lines[1]["attention"]!.AsArray().Sum(a => a!["weight"]!.GetValue<double>()), Is.LessThan(1.0));
    }

    [Test]
    public void ExplainWithoutAttentionPoolingIsAUsageError()
    {
        string rnn = Path.Combine(Cli.Scratch(), "rnn.zip");
        File.Copy(OldFormatModel, rnn);

        var result = Cli.Run("predict", "--model", rnn, "--text", "hello", "--explain");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("--explain needs a model pooled by attention (train --pooling attention); this one pools by"));
    }

    [TestCase("--encoder", "lstm", "--encoder must be rnn or transformer, got 'lstm'")]
    [TestCase("--heads", "3", "--heads: Heads (3) must divide HiddenSize (128)")]
    [TestCase("--pooling", "last", "--pooling: A Transformer has no final hidden state")]
    [TestCase("--activation", "swish", "--activation must be relu or gelu, got 'swish'")]
    [TestCase("--transformer-dropout", "1.5", "--transformer-dropout: TransformerDropout must be in [0, 1)")]
    public void BadTransformerOptionsAreUsageErrorsBeforeAnyDataIsRead(string option, string value, string message)
    {
        string[] args = ["train", "--train", "/nonexistent/train.tsv", "--no-header", "--text-column", "1", "--label-column", "0",
            "--out", Path.Combine(Cli.Scratch(), "m.zip"), .. option == "--encoder" ? [] : new[] { "--encoder", "transformer" }, option, value];
        var result = Cli.Run(args);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Out + result.Error);
        Assert.That(result.Error, Does.Contain(message));
    }

    /// <summary>
    /// A model written by SeqClassify before the Transformer (format 0x00010001): trained with
    /// `train --train (first 400 rows of SMSSpamCollection) --no-header --text-column 1 --label-column 0
    /// --pretrained none --embedding-dim 8 --hidden 8 --epochs 2 --min-freq 3`, at commit 4706f63.
    /// </summary>
    private static string OldFormatModel => Path.Combine(AppContext.BaseDirectory, "Fixtures", "rnn-model-format-00010001.zip");

    [Test]
    public void AModelOfThePreviousFormatLoadsAndPredictsAsItDidWhenWritten()
    {
        var result = Cli.Run("predict", "--model", OldFormatModel, "--text", "Free entry to win a prize, text now", "--text", "Ok lar, see you at home", "--top-k", "2");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        var spam = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!["top"]!.AsArray().Single(t => t!["label"]!.GetValue<string>() == "spam")!["probability"]!.GetValue<double>());
        // The probabilities the writing version printed for these texts.
        Assert.That(spam, Is.EqualTo(new[] { 0.346005, 0.307892 }).Within(2e-6));
        Assert.That(Cli.Run("info", "--model", OldFormatModel).Out, Does.Contain("network:      Gru x1 bidirectional, hidden 8, embedding 8, Max pooling"));
    }
}
