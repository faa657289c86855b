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
}
