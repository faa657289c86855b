using System.Globalization;
using Microsoft.ML;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// Every network option on the command line: each of SequenceModelOptions' properties has a flag or a
/// reason not to, and every flag given away from its default reaches the saved model's engine.
/// </summary>
[TestFixture]
public class NetworkOptionTests
{
    [Test]
    public void EveryNetworkOptionHasAFlagOrAReasonNotTo()
    {
        var options = typeof(SequenceModelOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name);

        Assert.That(NetworkOptions.Properties.Concat(NetworkOptions.NotOnTheCommandLine.Keys), Is.EquivalentTo(options));
    }

    [Test]
    public void WithNoFlagEveryOptionIsItsDefaultInTheEngine()
    {
        string model = Path.Combine(Cli.Scratch(), "defaults.zip");

        var train = Cli.Run("train", "--train", Cli.SmsSlice(), "--no-header", "--text-column", "1", "--label-column", "0", "--out", model,
            "--pretrained", "none", "--epochs", "1");

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Out, Does.Contain("Gru x1 bidirectional, hidden 128"));
        var held = LoadedModel.Load(new MLContext(), model).Classifier.Model.ReadEngineOptions();
        var defaults = new SequenceModelOptions();
        Assert.Multiple(() =>
        {
            foreach (string property in NetworkOptions.Properties)
            {
                var info = typeof(SequenceModelOptions).GetProperty(property)!;
                Assert.That(info.GetValue(held), Is.EqualTo(info.GetValue(defaults)), $"{NetworkOptions.FlagOf(property)} ({property}) not given");
            }
        });
    }

    [Test]
    public void EveryFlagAwayFromItsDefaultReachesTheSavedModelsEngine()
    {
        // Away from every default: the suites' one fixture (its options without a flag are not used here).
        var expected = SeqClassify.Testing.EveryOptionChanged.Network();
        var defaults = new SequenceModelOptions();
        var args = new List<string>();
        // The options of other tasks (a regression's Huber delta) are a classifier's defaults here; RegressionCliTests sets them.
        foreach (string property in NetworkOptions.Properties.Except(SeqClassify.Testing.EveryOptionChanged.OfOtherTasks))
        {
            var info = typeof(SequenceModelOptions).GetProperty(property)!;
            object value = info.GetValue(expected)!;
            Assert.That(value, Is.Not.EqualTo(info.GetValue(defaults)), $"set {property} away from its default here");
            args.Add(NetworkOptions.FlagOf(property)!);
            args.Add(value switch
            {
                Enum e => string.Concat(e.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())),
                bool b => b ? "true" : "false",
                _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
            });
        }
        string vectors = Path.Combine(Cli.Scratch(), "tiny.vec");
        File.WriteAllLines(vectors, ["call 0.1 0.2 0.3 0.4 0.5 0.6", "free 0.6 0.5 0.4 0.3 0.2 0.1"]);
        string model = Path.Combine(Cli.Scratch(), "every-flag.zip");

        var train = Cli.Run(["train", "--train", Cli.SmsSlice(), "--no-header", "--text-column", "1", "--label-column", "0", "--out", model,
            "--pretrained", vectors, "--epochs", "1", .. args]);

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        var held = LoadedModel.Load(new MLContext(), model).Classifier.Model.ReadEngineOptions();
        Assert.Multiple(() =>
        {
            foreach (string property in NetworkOptions.Properties)
            {
                var info = typeof(SequenceModelOptions).GetProperty(property)!;
                Assert.That(info.GetValue(held), Is.EqualTo(info.GetValue(expected)), $"{NetworkOptions.FlagOf(property)} ({property})");
            }
        });
    }
}
