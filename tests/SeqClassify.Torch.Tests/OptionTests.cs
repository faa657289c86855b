using System.Reflection;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// Every option of <see cref="SequenceModelOptions"/> reaches the engine as given: its config is
/// written field by field by name from the options and read back from the model.
/// </summary>
[TestFixture]
public class OptionTests
{
    /// <summary>Every option away from its default, in a combination the engine accepts (the suites' one fixture).</summary>
    public static SequenceModelOptions EveryOptionChanged() => SeqClassify.Testing.EveryOptionChanged.Network();

    public static IEnumerable<PropertyInfo> Options => typeof(SequenceModelOptions).GetProperties().Where(p => p.CanWrite);

    [Test]
    public void TheTestSetsEveryOptionAwayFromItsDefault()
    {
        var defaults = new SequenceModelOptions();
        var changed = EveryOptionChanged();
        var regression = SeqClassify.Testing.EveryOptionChanged.Regression();

        // An option added to SequenceModelOptions fails here until EveryOptionChanged sets it: in Network,
        // or, for an option a single-label network cannot take, in Regression (and listed as such).
        Assert.Multiple(() =>
        {
            foreach (var option in Options)
            {
                bool ofOtherTask = SeqClassify.Testing.EveryOptionChanged.OfOtherTasks.Contains(option.Name);
                Assert.That(option.GetValue(ofOtherTask ? regression : changed), Is.Not.EqualTo(option.GetValue(defaults)), $"set {option.Name} in EveryOptionChanged");
            }
        });
    }

    private static IEnumerable<TestCaseData> EveryTasksOptions()
    {
        yield return new TestCaseData(EveryOptionChanged()).SetArgDisplayNames("single label");
        yield return new TestCaseData(SeqClassify.Testing.EveryOptionChanged.Regression()).SetArgDisplayNames("regression");
    }

    [TestCaseSource(nameof(EveryTasksOptions))]
    public void TheEngineHoldsEveryOptionAsGiven(SequenceModelOptions options)
    {
        using var model = new SequenceClassifierModel(options);

        var held = model.ReadEngineOptions();

        Assert.Multiple(() =>
        {
            foreach (var option in Options.Where(p => p.PropertyType != typeof(float[])))
            {
                Assert.That(option.GetValue(held), Is.EqualTo(option.GetValue(options)), option.Name);
            }
        });
        // The arrays are read once, at creation, and not kept: the class weights are in the loss, the
        // vectors in the (frozen) embedding.
        var embedding = TensorArchive.Read(model.ExportParameters()).Single(t => t.Name == "embedding.weight");
        Assert.That(embedding.Floats!.Skip(6), Is.EqualTo(options.PretrainedEmbeddings!.Skip(6)), "the vectors, but for <pad>'s row (zero)");
    }
}
