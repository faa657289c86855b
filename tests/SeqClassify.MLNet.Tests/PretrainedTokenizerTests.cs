using SeqClassify.Testing;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>The pretrained folder's WordPiece tokenizer against PyTorch's BERT reference tokenizer.</summary>
[TestFixture]
public class PretrainedTokenizerTests
{
    private static string MiniLM => Path.Combine(RepositoryPaths.Shared, "models", "all-MiniLM-L6-v2");

    [Test]
    public void EverySst2TestSentenceGetsTheReferenceTokenizersIds()
    {
        var fixture = TensorArchive.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Pretrained", "minilm_sst2_test_ids.sct"))).ToDictionary(t => t.Name);
        long[] flat = fixture["ids"].Int64s!, lengths = fixture["lengths"].Int64s!;
        var sentences = File.ReadLines(Path.Combine(RepositoryPaths.Datasets, "sst2", "test.tsv")).Skip(1).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split('\t')[1]).ToList();
        var tokenizer = PretrainedTokenizer.Load(MiniLM, maxLength: 512);

        Assert.That(sentences, Has.Count.EqualTo(lengths.Length));
        var differing = new List<int>();
        long offset = 0;
        for (int row = 0; row < sentences.Count; row++)
        {
            long[] expected = flat[(int)offset..(int)(offset + lengths[row])];
            offset += lengths[row];
            if (!tokenizer.Encode(sentences[row], out _).SequenceEqual(expected)) differing.Add(row);
        }
        Assert.That(differing, Is.Empty, $"rows whose ids differ, e.g. '{(differing.Count > 0 ? sentences[differing[0]] : "")}'");
    }

    [Test]
    public void AsciiSymbolsAreWordsAsInBertNotDropped()
    {
        var tokenizer = PretrainedTokenizer.Load(MiniLM, maxLength: 512);

        // BertTokenizer of Microsoft.ML.Tokenizers 3.0.0 alone gives 101 2196 102: the backticks dropped.
        Assert.That(tokenizer.Encode("`` never", out _), Is.EqualTo(new long[] { 101, 1036, 1036, 2196, 102 }));
    }

    [Test]
    public void ALongTextKeepsItsFirstPiecesAndEndsWithSep()
    {
        var tokenizer = PretrainedTokenizer.Load(MiniLM, maxLength: 6);

        long[] ids = tokenizer.Encode("one two three four five six seven", out bool truncated);

        Assert.That(truncated, Is.True);
        Assert.That(ids, Is.EqualTo(new long[] { 101, 2028, 2048, 2093, 2176, 102 }));
    }

    // Expected: ../shared/reference/torch_bert.py's encode(a, text_pair=b, max_length=8) on the tiny fixture vocabulary.
    [TestCase("the movie is very good !", "awful", new long[] { 2, 5, 7, 9, 30, 3, 14, 3 })]
    [TestCase("awful", "the movie is very good !", new long[] { 2, 14, 3, 5, 7, 9, 30, 3 })]
    [TestCase("the plot was dull", "the film is great", new long[] { 2, 5, 15, 10, 3, 5, 8, 3 })]
    public void APairOverTheLimitLosesPiecesLongestFirstAsTheReference(string text, string pair, long[] expected)
    {
        var tokenizer = PretrainedTokenizer.Load(Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained", "tiny-bert"), maxLength: 8);

        long[] ids = tokenizer.Encode(text, pair, out bool truncated);

        Assert.That(truncated, Is.True);
        Assert.That(ids, Is.EqualTo(expected));
    }
}
