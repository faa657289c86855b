using Microsoft.ML;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// Issue 30, item 3: how the network is trained, on the command line through one table
/// (TrainingOptions): every option of the trainer has a flag or a reason not to, and every flag reaches
/// the trainer and the model's training history.
/// </summary>
[TestFixture]
public class TrainingOptionTests
{
    [Test]
    public void EveryTrainerOptionHasAFlagOrAReasonNotTo()
    {
        // The network's options the trainer forwards (SequenceClassificationOptions.HiddenSize and the like) are NetworkOptions' flags.
        var network = NetworkOptions.Properties.Append("EmbeddingDimension").ToHashSet();
        var trainer = typeof(SequenceClassificationOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name);

        // The trainer's own options (not the network's, which it forwards: NetworkOptionTests covers those).
        var own = trainer.Where(p => !network.Contains(p) || TrainingOptions.Properties.Contains(p));
        Assert.That(TrainingOptions.Properties.Concat(TrainingOptions.NotOnTheCommandLine.Keys), Is.EquivalentTo(own));
    }

    [Test]
    public void EveryTrainingFlagAwayFromItsDefaultReachesTheTrainingHistory()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");
        var defaults = new SequenceClassificationOptions();

        var train = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSlice(everyNth: 8), "--no-header", "--text-column", "1", "--label-column", "0",
            "--hidden", "8", "--embedding-dim", "8", "--seed", "3", "--out", model,
            "--epochs", "2", "--batch-size", "16", "--lr", "0.01", "--schedule", "cosine", "--warmup", "0.1", "--patience", "1", "--restore-best", "false",
            "--class-weights", "1,3", "--batch-tokens", "5000", "--accumulate", "2");

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        var loaded = LoadedModel.Load(new MLContext(), model);
        var settings = loaded.Classifier.History.Settings!;
        var expected = new TrainingSettings(2, 16, 0.01, LearningRateSchedule.Cosine, 0.1, 1, false, [1f, 3f], 5000, 3, GradientAccumulationSteps: 2);
        Assert.That(settings with { ClassWeights = null }, Is.EqualTo(expected with { ClassWeights = null }));
        Assert.That(settings.ClassWeights, Is.EqualTo(expected.ClassWeights));
        Assert.That(loaded.Classifier.Model.ReadEngineOptions().ClassWeights, Is.Null, "the engine keeps class weights in its loss, not its options");
        // --threshold is a multi-label model's (MultiLabelCliTests sets it).
        foreach (var property in TrainingOptions.Properties.Where(p => p != nameof(SequenceClassificationOptions.DecisionThreshold)))
        {
            var info = typeof(TrainingSettings).GetProperty(property);
            Assert.That(info, Is.Not.Null, $"{property} is recorded in the history");
            Assert.That(info!.GetValue(settings), Is.Not.EqualTo(typeof(SequenceClassificationOptions).GetProperty(property)!.GetValue(defaults)), $"{property} was set away from its default");
        }
        Assert.That(Cli.Run("info", "--model", model).Out, Does.Contain("optimiser:    2 epochs of batch 16 (at most 5,000 tokens), 2 batches a step, lr 0.01 cosine after 10% warm-up, patience 1, restore best no, class weights 1,3, seed 3"));
    }

    [Test]
    public void ClassWeightsThatAreNotNumbersAreAUsageError()
    {
        var result = Cli.Run("train", "--pretrained", "none", "--train", "/no/such.tsv", "--text-column", "a", "--label-column", "b", "--out",
            Path.Combine(Cli.Scratch(), "m.zip"), "--class-weights", "1,heavy");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain("--class-weights takes numbers separated by commas (e.g. 1,3.5), got '1,heavy'"));
    }
}
