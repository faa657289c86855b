using System.IO.Compression;
using System.Text.Json;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// Issue 30, item 4: the classifier's model format moves whenever its persisted network options change.
/// Each format's Network.bin fields are listed here; the committed models of the earlier formats are
/// checked against their rows, and the current options against the current format's row, so that an
/// option added without a new format (an older SeqClassify would read it with a default and predict
/// otherwise) fails here. To add an option: raise SequenceClassificationTransformer.FormatVersion and add
/// its row; never edit an earlier row.
/// </summary>
[TestFixture]
public class ModelFormatTests
{
    private static readonly string[] Format00010002 =
    [
        "Activation", "AdamBeta1", "AdamBeta2", "AdamEpsilon", "Bidirectional", "Cell", "ClassWeights", "DecayBiasesAndNorms", "Dropout",
        "EmbeddingDropout", "EmbeddingNorm", "Encoder", "FeedForwardInnerDropout", "FeedForwardSize", "FreezeEmbeddings", "GradientClipNorm",
        "HeadHiddenSize", "Heads", "HiddenSize", "InputSize", "LabelSmoothing", "LayerNormEpsilon", "MaxPositions", "NormFirst", "NumClasses",
        "NumLayers", "Pooling", "PositionalEncoding", "PretrainedEmbeddings", "RnnDropout", "ScaleEmbedding", "Seed", "SegmentSeparatorId",
        "TokenTypes", "TransformerDropout", "VocabularySize", "WeightDecay",
    ];

    /// <summary>
    /// The network options each format writes (0x00010003 added Settings.bin beside them, no field; 0x00010004
    /// the task: multi-label and regression heads, and how a long text's windows are pooled).
    /// </summary>
    private static readonly Dictionary<uint, string[]> NetworkFields = new()
    {
        [0x00010001] =
        [
            "AdamBeta1", "AdamBeta2", "AdamEpsilon", "Bidirectional", "Cell", "ClassWeights", "Dropout", "EmbeddingDropout", "FreezeEmbeddings",
            "GradientClipNorm", "HeadHiddenSize", "HiddenSize", "InputSize", "LabelSmoothing", "NumClasses", "NumLayers", "Pooling", "PretrainedEmbeddings",
            "RnnDropout", "Seed", "UseLibtorchRnn", "VocabularySize", "WeightDecay",
        ],
        [0x00010002] = Format00010002,
        [0x00010003] = Format00010002,
        [0x00010004] = [.. Format00010002, "HuberDelta", "Task", "WindowPooling"],
    };

    [Test]
    public void TheCurrentOptionsAreTheCurrentFormatsFields()
    {
        var written = JsonDocument.Parse(JsonSerializer.Serialize(new SeqClassify.Torch.SequenceModelOptions())).RootElement.EnumerateObject().Select(p => p.Name);

        Assert.That(NetworkFields, Does.ContainKey(SequenceClassificationTransformer.FormatVersion), "a row for the format this version writes");
        Assert.That(written, Is.EquivalentTo(NetworkFields[SequenceClassificationTransformer.FormatVersion]),
            "the persisted network options changed: raise SequenceClassificationTransformer.FormatVersion and list the new format's fields here");
    }

    [TestCase("rnn-model-format-00010001.zip")]
    [TestCase("rnn-settings-unchecked-00010002.zip")]
    [TestCase("bert-pairs-settings-unchecked-00010002.zip")]
    public void EachEarlierFormatsModelHasItsListedFields(string file)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Cli.Tests", "Fixtures", file));
        var key = zip.Entries.Where(e => e.Name == "Model.key").Select(Bytes).Single(b => b.AsSpan(0x40, 8).SequenceEqual("SCRNNCLS"u8));
        uint format = BitConverter.ToUInt32(key, 0x48);
        byte[] network = Bytes(zip.Entries.Single(e => e.FullName.EndsWith("Network.bin", StringComparison.Ordinal)));
        string json = new BinaryReader(new MemoryStream(network, 44, network.Length - 44)).ReadString();   // after magic, length, SHA-256

        Assert.That(JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(NetworkFields[format]), $"format 0x{format:X8}");
    }

    private static byte[] Bytes(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
