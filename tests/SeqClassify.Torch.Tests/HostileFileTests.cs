using System.Text;
using SeqClassify.Torch.Pretrained;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// Issue 29, items 6, 7 and 10: a hostile or broken safetensors file is refused by what its header
/// says, before anything large is allocated, naming the file and the tensor.
/// </summary>
[TestFixture]
public class HostileFileTests
{
    // A safetensors file: the 8-byte header length, the JSON header as given, then the data bytes.
    private static string Write(string header, int dataBytes)
    {
        string path = Path.Combine(Path.GetTempPath(), "seqclassify-hostile-tests", Guid.NewGuid().ToString("N") + ".safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        byte[] json = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, .. new byte[dataBytes]]);
        return path;
    }

    // 400 tensors over the same 16 MB: each would be 16 MB of floats (6.45 GB in all before a refusal).
    [Test]
    public void TensorsSharingTheirBytesAreRefusedBeforeTheyAreAllocated()
    {
        const int bytes = 16 << 20;
        string header = "{" + string.Join(",", Enumerable.Range(0, 400).Select(i =>
            $"\"layer.{i}.weight\":{{\"dtype\":\"F32\",\"shape\":[{bytes / 4}],\"data_offsets\":[0,{bytes}]}}")) + "}";
        string path = Write(header, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<SeqClassifyException>(() => SafeTensors.Read(path));

        Assert.That(error!.Message, Does.Contain(path).And.Contain("share bytes").And.Contain("'layer.0.weight'"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(8L << 20), "refused from the header alone");
    }

    [Test]
    public void OverlappingRangesAreRefusedToo()
    {
        string path = Write("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", 24);

        var error = Assert.Throws<SeqClassifyException>(() => SafeTensors.Read(path));

        Assert.That(error!.Message, Does.Contain("tensors 'a' and 'b' share bytes (data_offsets [0, 16] and [8, 24])"));
    }

    // Item 7: a duplicate key silently replaced the first tensor.
    [Test]
    public void AHeaderNamingATensorTwiceIsRefused()
    {
        string path = Write("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8);

        var error = Assert.Throws<SeqClassifyException>(() => SafeTensors.Read(path));

        Assert.That(error!.Message, Does.Contain(path).And.Contain("its header names 'a' twice"));
    }

    // Item 10: bytes that are not UTF-8 were "Cannot transcode invalid UTF-8", naming nothing.
    [Test]
    public void AHeaderThatIsNotUtf8IsRefusedNamingTheFile()
    {
        string path = Write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        byte[] file = File.ReadAllBytes(path);
        file[8 + 2] = 0xFF;   // inside the name "a"
        File.WriteAllBytes(path, file);

        var error = Assert.Throws<SeqClassifyException>(() => SafeTensors.Read(path));

        Assert.That(error!.Message, Does.Contain(path).And.Contain("its header is not UTF-8 text (an invalid byte at offset 10)"));
    }

    [Test]
    public void AWellFormedFileStillReads()
    {
        string path = Write("""{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}""", 16);

        var tensors = SafeTensors.Read(path);

        Assert.That(tensors.Keys, Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That((tensors["a"].Shape, tensors["b"].Shape), Is.EqualTo((new long[] { 4 }, new long[] { 2 })));
    }

    // Item 6: what a saved model's weights must hold at least is a true lower bound of every network's size.
    [TestCase(SequenceEncoder.Rnn, RnnCellType.Gru, true, 2, PositionalEncoding.Sinusoidal, 8)]
    [TestCase(SequenceEncoder.Rnn, RnnCellType.Lstm, false, 1, PositionalEncoding.Sinusoidal, 8)]
    [TestCase(SequenceEncoder.Rnn, RnnCellType.Rnn, true, 3, PositionalEncoding.Sinusoidal, 0)]
    [TestCase(SequenceEncoder.Rnn, RnnCellType.RnnRelu, false, 2, PositionalEncoding.Sinusoidal, 8)]
    [TestCase(SequenceEncoder.Transformer, RnnCellType.Gru, false, 2, PositionalEncoding.Sinusoidal, 8)]
    [TestCase(SequenceEncoder.Transformer, RnnCellType.Gru, false, 1, PositionalEncoding.Learned, 8)]
    [TestCase(SequenceEncoder.Transformer, RnnCellType.Gru, false, 2, PositionalEncoding.Learned, 0)]
    public void TheMinimumParameterCountIsALowerBoundOfTheNetworks(SequenceEncoder encoder, RnnCellType cell, bool bidirectional, int layers,
        PositionalEncoding positions, int headHidden)
    {
        foreach (int input in new[] { 4, 8, 12 })
        {
            var options = TestModels.TokenOptions(cell, bidirectional, encoder == SequenceEncoder.Rnn ? SequencePooling.Last : SequencePooling.Mean, layers);
            (options.Encoder, options.PositionalEncoding, options.HeadHiddenSize, options.InputSize, options.HiddenSize, options.Heads) =
                (encoder, positions, headHidden, input, 8, 2);
            using var model = new SequenceClassifierModel(options);

            Assert.That(options.MinimumParameterCount(), Is.LessThanOrEqualTo(model.ParameterCount).And.GreaterThan(model.ParameterCount / 3), $"InputSize {input}");
        }
    }

    [TestCase(nameof(SequenceModelOptions.HiddenSize), 65537, "HiddenSize must be between 1 and 65,536, got 65537")]
    [TestCase(nameof(SequenceModelOptions.InputSize), 1_000_000, "InputSize must be between 1 and 65,536, got 1000000")]
    [TestCase(nameof(SequenceModelOptions.NumLayers), 257, "NumLayers must be between 1 and 256, got 257")]
    [TestCase(nameof(SequenceModelOptions.HeadHiddenSize), 70000, "HeadHiddenSize must be between 0 and 65,536, got 70000")]
    [TestCase(nameof(SequenceModelOptions.VocabularySize), 100_000_000, "the network would have at least 3,200,000,111 parameters")]
    public void SizesBeyondTheEnginesBoundsAreRefusedBeforeAllocating(string option, int value, string message)
    {
        var options = TestModels.TokenOptions();
        options.InputSize = 32;
        typeof(SequenceModelOptions).GetProperty(option)!.SetValue(options, value);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.ValidateArchitecture());

        Assert.That(error!.Message, Does.Contain(message));
    }
}
