using System.Globalization;
using System.Reflection;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// One definition per option: the trainer's network options are <see cref="SequenceModelOptions"/>'s own,
/// and every one set away from its default reaches the engine and comes back from a saved and reloaded model.
/// </summary>
[TestFixture]
public class OptionRoundTripTests
{
    // Decided by the data at Fit, not by the options (SequenceClassificationOptions.Network says so).
    private static readonly string[] DecidedByTheData =
        [nameof(SequenceModelOptions.VocabularySize), nameof(SequenceModelOptions.NumClasses), nameof(SequenceModelOptions.PretrainedEmbeddings),
         nameof(SequenceModelOptions.InputSize), nameof(SequenceModelOptions.Seed)];

    // The multiclass trainer trains single-label classifiers: the other tasks' options keep their defaults.
    private static IEnumerable<PropertyInfo> NetworkOptions =>
        typeof(SequenceModelOptions).GetProperties().Where(p => p.CanWrite && !DecidedByTheData.Contains(p.Name)
                                                               && !SeqClassify.Testing.EveryOptionChanged.OfOtherTasks.Contains(p.Name));

    // Every option the trainer passes on, away from its default (the suites' one fixture; two classes, as the sentences have).
    private static SequenceClassificationOptions EveryOptionChanged(string vectors)
    {
        var trainer = new SequenceClassificationOptions { PretrainedEmbeddingsPath = vectors, Epochs = 1, BatchSize = 4, LearningRate = 0.01 };
        SeqClassify.Testing.EveryOptionChanged.CopyInto(SeqClassify.Testing.EveryOptionChanged.Network(classes: 2), trainer.Network);
        return trainer;
    }

    [Test]
    public void TheTrainersNetworkPropertiesAreTheEnginesOptions()
    {
        var trainer = new SequenceClassificationOptions();
        var defaults = new SequenceModelOptions();

        // The same defaults, from the one definition.
        foreach (var option in NetworkOptions)
        {
            Assert.That(option.GetValue(trainer.Network), Is.EqualTo(option.GetValue(defaults)), option.Name);
        }
        // Each of the trainer's own properties of the same name (EmbeddingDimension: InputSize) reads and writes it.
        trainer.HiddenSize = 77;
        trainer.EmbeddingDimension = 33;
        trainer.Pooling = SequencePooling.Attention;
        Assert.That((trainer.Network.HiddenSize, trainer.Network.InputSize, trainer.Network.Pooling), Is.EqualTo((77, 33, SequencePooling.Attention)));
        var changed = EveryOptionChanged("unused.vec").Network;
        foreach (var shortcut in typeof(SequenceClassificationOptions).GetProperties().Where(p => p.CanWrite && typeof(SequenceModelOptions).GetProperty(p.Name) is not null))
        {
            var option = typeof(SequenceModelOptions).GetProperty(shortcut.Name)!;
            if (DecidedByTheData.Contains(option.Name)) continue;
            shortcut.SetValue(trainer, option.GetValue(changed));
            Assert.That(option.GetValue(trainer.Network), Is.EqualTo(option.GetValue(changed)), shortcut.Name);
        }
    }

    [Test]
    public void EveryOptionAwayFromItsDefaultReachesTheEngineAndSurvivesSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        string vectors = Path.Combine(TestData.ScratchDirectory(), "tiny.vec");
        File.WriteAllLines(vectors, ["film 0.1 0.2 0.3 0.4 0.5 0.6", "story 0.6 0.5 0.4 0.3 0.2 0.1"]);
        var trainer = EveryOptionChanged(vectors);
        var defaults = new SequenceModelOptions();
        foreach (var option in NetworkOptions)
        {
            Assert.That(option.GetValue(trainer.Network), Is.Not.EqualTo(option.GetValue(defaults)), $"set {option.Name} in EveryOptionChanged");
        }

        var model = Pipelines.Text(ml, trainer).Fit(data);
        string path = Path.Combine(TestData.ScratchDirectory(), "every-option.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = new MLContext(seed: 2).Model.Load(path, out _);

        var trained = model.Classifier().Model.ReadEngineOptions();
        var reloaded = loaded.Classifier().Model.ReadEngineOptions();
        Assert.Multiple(() =>
        {
            foreach (var option in NetworkOptions.Where(p => p.PropertyType != typeof(float[])))
            {
                Assert.That(option.GetValue(trained), Is.EqualTo(option.GetValue(trainer.Network)), $"{option.Name}, in the trained engine");
                Assert.That(option.GetValue(reloaded), Is.EqualTo(option.GetValue(trainer.Network)), $"{option.Name}, in the reloaded engine");
            }
            Assert.That(reloaded.InputSize, Is.EqualTo(6), "the vectors' dimension");
            Assert.That(loaded.Classifier().ModelOptions.ClassWeights, Is.EqualTo(trainer.ClassWeights), "saved with the model");
        });
        Assert.That(string.Create(CultureInfo.InvariantCulture, $"{reloaded.Seed}"), Is.EqualTo(string.Create(CultureInfo.InvariantCulture, $"{trained.Seed}")));
    }
}
