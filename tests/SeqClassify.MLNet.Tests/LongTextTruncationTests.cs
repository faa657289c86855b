using SeqClassify.Testing;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// Issue 31, item 5 (truncation): a pretrained tokenizer keeps a long text's first pieces (Hugging Face's),
/// its last, or its first HeadLength and the rest from its end (Sun et al.'s head+tail); the choice is kept
/// with the model, and files written before it still load keeping the head.
/// </summary>
[TestFixture]
public class LongTextTruncationTests
{
    private static string TinyBert => Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained", "tiny-bert");

    // tiny-bert's ids: [CLS] 2, [SEP] 3, the 5, a 6, movie 7, film 8, is 9, was 10, good 11, bad 12, great 13, awful 14.
    private const string Text = "the a movie film is was good bad great awful";

    [Test]
    public void EachPolicyKeepsItsEndsOfALongText()
    {
        var head = PretrainedTokenizer.Load(TinyBert, 8);
        var tail = PretrainedTokenizer.Load(TinyBert, 8, TruncationPolicy.KeepTail, 0);
        var both = PretrainedTokenizer.Load(TinyBert, 8, TruncationPolicy.KeepHeadAndTail, 2);
        var quarter = PretrainedTokenizer.Load(TinyBert, 10, TruncationPolicy.KeepHeadAndTail, 0);

        Assert.That(head.Encode(Text, out bool cut), Is.EqualTo(new long[] { 2, 5, 6, 7, 8, 9, 10, 3 }));
        Assert.That(cut);
        Assert.That(tail.Encode(Text, out _), Is.EqualTo(new long[] { 2, 9, 10, 11, 12, 13, 14, 3 }));
        Assert.That(both.Encode(Text, out _), Is.EqualTo(new long[] { 2, 5, 6, 11, 12, 13, 14, 3 }), "the first 2 pieces and the last 4");
        Assert.That(quarter.Encode(Text, out _), Is.EqualTo(new long[] { 2, 5, 6, 9, 10, 11, 12, 13, 14, 3 }),
            "8 pieces of room: the first 2 (a quarter) and the last 6");
        Assert.That(both.Encode("the movie", out bool fitCut), Is.EqualTo(new long[] { 2, 5, 7, 3 }), "a text that fits is whole");
        Assert.That(fitCut, Is.False);
    }

    [Test]
    public void AHeadLengthWithoutRoomOrOfAnotherPolicyIsRefused()
    {
        Assert.That(() => PretrainedTokenizer.Load(TinyBert, 8, TruncationPolicy.KeepHead, 2),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("headLength is KeepHeadAndTail's head"));
        Assert.That(() => PretrainedTokenizer.Load(TinyBert, 8, TruncationPolicy.KeepHeadAndTail, 6),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("at most 5"));
    }

    [Test]
    public void TheTruncationIsKeptWithTheModel()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new LabeledText { Label = "pos", Text = Text } });
        var model = ml.Transforms.Text.TokenizeForPretrained(TinyBert, "Ids", "Text", maximumLength: 8, truncation: TruncationPolicy.KeepHeadAndTail, headLength: 2).Fit(data);
        string path = Path.Combine(TestData.ScratchDirectory(), "head-tail-tokens.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = new MLContext().Model.Load(path, out _);

        Assert.That(loaded.Transform(data).GetColumn<long[]>("Ids").Single(), Is.EqualTo(new long[] { 2, 5, 6, 11, 12, 13, 14, 3 }));
        var tokenizer = ((PretrainedTokenizingTransformer)loaded).Tokenizer;
        Assert.That((tokenizer.Truncation, tokenizer.HeadLength), Is.EqualTo((TruncationPolicy.KeepHeadAndTail, 2)));
    }
}
