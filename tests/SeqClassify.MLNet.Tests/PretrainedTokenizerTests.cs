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
}
