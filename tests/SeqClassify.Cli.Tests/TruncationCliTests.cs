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

    [TestCase("--truncation", "middle", "--truncation must be head, tail or head-tail, got 'middle'")]
    [TestCase("--head-length", "3", "--head-length is the head of --truncation head-tail with --pretrained-model")]
    public void ATruncationThatCannotApplyIsAUsageError(string option, string value, string message)
    {
        var result = Cli.Run("train", "--train", Reviews(), "--text-column", "text", "--label-column", "label", "--pretrained", "none",
            option, value, "--out", Path.Combine(Cli.Scratch(), "never.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain(message));
    }
}
