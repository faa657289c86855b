using Microsoft.ML;
using SeqClassify.MLNet.Text;
using SeqClassify.Testing;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// Issue 31, item 5 (truncation): `train --truncation head|tail|head-tail` (with --head-length for a pretrained
/// model) keeps those ends of a long text, says how many rows it cut, and the model keeps the choice.
/// </summary>
[TestFixture]
public class TruncationCliTests
{
    private static string TinyBert => Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained", "tiny-bert");

    private static string Reviews()
    {
        string path = Path.Combine(Cli.Scratch(), "reviews.tsv");
        File.WriteAllLines(path, ["text\tlabel", .. Enumerable.Range(0, 16).Select(i => i % 2 == 0
            ? "the movie was a mess and the plot was dull but the acting is good great fun\tpos"
            : "the film is good and the story was fun but the acting was awful bad boring mess\tneg")]);
        return path;
    }

    [Test]
    public void HeadAndTailOfAPretrainedModelAreKeptWithTheModel()
    {
        string model = Path.Combine(Cli.Scratch(), "head-tail.zip");

        var train = Cli.Run("train", "--train", Reviews(), "--text-column", "text", "--label-column", "label", "--pretrained-model", TinyBert,
            "--max-length", "8", "--truncation", "head-tail", "--head-length", "2", "--epochs", "1", "--valid-fraction", "0", "--out", model);

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Out, Does.Contain("16 of 16 training rows are longer than 8 ids and are truncated"));
        var tokens = ((IEnumerable<ITransformer>)LoadedModel.Load(new MLContext(), model).Chain).OfType<PretrainedTokenizingTransformer>().Single().Tokenizer;
        Assert.That((tokens.Truncation, tokens.HeadLength, tokens.MaxLength), Is.EqualTo((TruncationPolicy.KeepHeadAndTail, 2, 8)));
    }

    [Test]
    public void TailOfAWordModelIsMapTokensToIds()
    {
        string model = Path.Combine(Cli.Scratch(), "tail.zip");

        var train = Cli.Run("train", "--train", Reviews(), "--text-column", "text", "--label-column", "label", "--pretrained", "none",
            "--max-length", "5", "--truncation", "tail", "--epochs", "1", "--valid-fraction", "0", "--out", model);

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        var ids = ((IEnumerable<ITransformer>)LoadedModel.Load(new MLContext(), model).Chain).OfType<TokenToIdMappingTransformer>().Single();
        Assert.That((ids.Options.Truncation, ids.Options.MaximumLength), Is.EqualTo((TruncationPolicy.KeepTail, 5)));
    }

    [Test]
    public void WindowsOfAPretrainedModelReadTheWholeTextAndAreKept()
    {
        string model = Path.Combine(Cli.Scratch(), "windows.zip");
        string longReviews = Path.Combine(Cli.Scratch(), "long-reviews.tsv");
        File.WriteAllLines(longReviews, File.ReadLines(Reviews()).Select((l, i) => i == 0 ? l : string.Join(' ', Enumerable.Repeat(l.Split('\t')[0], 4)) + "\t" + l.Split('\t')[1]));

        var train = Cli.Run("train", "--train", longReviews, "--text-column", "text", "--label-column", "label", "--pretrained-model", TinyBert,
            "--truncation", "windows", "--window-stride", "10", "--window-pooling", "max", "--epochs", "1", "--valid-fraction", "0", "--out", model);

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Out, Does.Match(@"16 of 16 training rows are longer than \d+ ids and are read in windows"));
        Assert.That(train.Out, Does.Match(@"texts longer than \d+ ids are read in windows of \d+ every 10 ids, their outputs pooled by Max"));
        var loaded = LoadedModel.Load(new MLContext(), model);
        var tokens = ((IEnumerable<ITransformer>)loaded.Chain).OfType<PretrainedTokenizingTransformer>().Single().Tokenizer;
        Assert.That(tokens.Truncation, Is.EqualTo(TruncationPolicy.KeepAll));
        Assert.That(loaded.Classifier.ModelOptions.WindowPooling, Is.EqualTo(SeqClassify.Torch.WindowPooling.Max));
        var predict = Cli.Run("predict", "--model", model, "--text", File.ReadLines(longReviews).Skip(1).First().Split('\t')[0]);
        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
    }

    [TestCase("--truncation", "middle", "--truncation must be head, tail, head-tail or windows, got 'middle'")]
    [TestCase("--window-stride", "4", "--window-stride is a window's: it needs --truncation windows")]
    [TestCase("--head-length", "3", "--head-length is the head of --truncation head-tail with --pretrained-model")]
    public void ATruncationThatCannotApplyIsAUsageError(string option, string value, string message)
    {
        var result = Cli.Run("train", "--train", Reviews(), "--text-column", "text", "--label-column", "label", "--pretrained", "none",
            option, value, "--out", Path.Combine(Cli.Scratch(), "never.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain(message));
    }
}
