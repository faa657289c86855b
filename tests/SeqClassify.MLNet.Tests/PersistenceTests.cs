using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Extensions.ML;
using Microsoft.Extensions.DependencyInjection;

namespace SeqClassify.MLNet.Tests;

/// <summary>SeqClassify steps inside ML.NET's own model .zip: mlContext.Model.Save and Load, and their refusals.</summary>
[TestFixture]
public class PersistenceTests
{
    private MLContext _ml = null!;
    private IDataView _data = null!;
    private ITransformer _model = null!;
    private string _path = null!;

    [OneTimeSetUp]
    public void TrainAndSave()
    {
        _ml = new MLContext(seed: 1);
        _data = Pipelines.Sentences(_ml);
        _model = Pipelines.Text(_ml).Fit(_data);
        _path = Path.Combine(TestData.ScratchDirectory(), "model.zip");
        _ml.Model.Save(_model, _data.Schema, _path);
    }

    [Test]
    public void SaveThenLoadGivesBitIdenticalPredictions()
    {
        var loaded = _ml.Model.Load(_path, out var inputSchema);

        var before = _ml.Data.CreateEnumerable<TextPrediction>(_model.Transform(_data), reuseRowObject: false).ToList();
        var after = _ml.Data.CreateEnumerable<TextPrediction>(loaded.Transform(_data), reuseRowObject: false).ToList();

        Assert.That(inputSchema.Select(c => c.Name), Is.EqualTo(_data.Schema.Select(c => c.Name)));
        Assert.That(after.Select(p => p.PredictedLabel), Is.EqualTo(before.Select(p => p.PredictedLabel)));
        Assert.That(after.SelectMany(p => p.Score), Is.EqualTo(before.SelectMany(p => p.Score)));
        var classifier = loaded.Classifier();
        Assert.That(classifier.History.Epochs, Has.Count.EqualTo(2), "the training history is saved");
        Assert.That(classifier.LabelNames, Is.EqualTo(new[] { "pos", "neg" }));
        Assert.That(((IEnumerable<ITransformer>)loaded).OfType<TokenToIdMappingTransformer>().Single().Vocabulary.Tokens,
            Is.EqualTo(((IEnumerable<ITransformer>)_model).OfType<TokenToIdMappingTransformer>().Single().Vocabulary.Tokens));
    }

    [Test]
    public void APlainMLNetProcessLoadsTheModelWithNoRegistrationAndPredictsIdentically()
    {
        string[] texts = ["a wonderful film", "a boring story", ""];
        var engine = _ml.Model.CreatePredictionEngine<LabeledText, TextPrediction>(_model);
        var expected = texts.Select(t => engine.Predict(new LabeledText { Text = t }))
            .Select(p => p.PredictedLabel + "\t" + string.Join(' ', p.Score.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));

        var (exitCode, output, error) = PlainMLNetConsumerProcess.Run(_path, texts);

        Assert.That(exitCode, Is.Zero, error);
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(expected));
    }

    [Test]
    public void PredictionEngineAndPredictionEnginePoolFromAFileServeTheModel()
    {
        var services = new ServiceCollection();
        services.AddPredictionEnginePool<LabeledText, TextPrediction>().FromFile(modelName: "sentiment", filePath: _path, watchForChanges: false);
        using var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredService<PredictionEnginePool<LabeledText, TextPrediction>>();
        var engine = _ml.Model.CreatePredictionEngine<LabeledText, TextPrediction>(_ml.Model.Load(_path, out _));

        var fromPool = pool.Predict("sentiment", new LabeledText { Text = "i loved it" });
        var fromEngine = engine.Predict(new LabeledText { Text = "i loved it" });

        Assert.That(fromPool.Score, Is.EqualTo(fromEngine.Score));
        Assert.That(fromPool.PredictedLabel, Is.EqualTo(fromEngine.PredictedLabel).And.AnyOf("pos", "neg"));
        Assert.That(fromPool.Score.Sum(), Is.EqualTo(1).Within(1e-5));
    }

    [Test]
    public void ConcurrentPredictionEnginesAgreeWithSequentialOnes()
    {
        var texts = Enumerable.Range(0, 64).Select(i => Pipelines.SentenceRows[i % 8].Text + (i % 3 == 0 ? " film" : "")).ToArray();
        var sequential = _ml.Model.CreatePredictionEngine<LabeledText, TextPrediction>(_model);
        var expected = texts.Select(t => sequential.Predict(new LabeledText { Text = t }).Score.ToArray()).ToArray();

        var actual = new float[texts.Length][];
        Parallel.For(0, 4, worker =>
        {
            var engine = _ml.Model.CreatePredictionEngine<LabeledText, TextPrediction>(_model);
            for (int i = worker; i < texts.Length; i += 4) actual[i] = engine.Predict(new LabeledText { Text = texts[i] }).Score.ToArray();
        });

        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void ABitFlippedWeightsEntryIsRefusedNamingTheStepAndEntry()
    {
        string path = Copy();
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("Weights.bin", StringComparison.Ordinal));
            byte[] bytes = Read(entry);
            bytes[^7] ^= 0x10;
            Rewrite(zip, entry, bytes);
        }

        var error = Assert.Catch(() => _ml.Model.Load(path, out _))!;

        Assert.That(Messages(error), Does.Contain("SeqClassifyRnnClassifier").And.Contain("Weights.bin").And.Contain("checksum"));
    }

    [Test]
    public void AModelWhoseWeightsAreNotFiniteIsRefusedNamingTheParameter()
    {
        // A NaN written with a valid checksum (as a diverged training would save it): the checksum
        // passes, the engine's import refuses it.
        string path = Copy();
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("Weights.bin", StringComparison.Ordinal));
            byte[] bytes = Read(entry);
            const int Header = 4 + 8 + 32;  // magic, length, SHA-256
            BitConverter.GetBytes(float.NaN).CopyTo(bytes, bytes.Length - 4);  // the archive's last float
            System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(Header)).CopyTo(bytes, 12);
            Rewrite(zip, entry, bytes);
        }

        var error = Assert.Catch(() => _ml.Model.Load(path, out _))!;

        Assert.That(Messages(error), Does.Contain("parameter '").And.Contain("holds a value that is not finite (NaN at flat index"));
    }

    // Issue 29, item 6: a network declared larger than its weights (HiddenSize 16000 in an 870 KB file,
    // with a valid checksum) is refused from the sizes alone; it once took 11.9 GB before a refusal.
    [Test]
    public void ANetworkDeclaredLargerThanItsWeightsIsRefusedBeforeItIsAllocated()
    {
        string path = WithNetwork(json => System.Text.RegularExpressions.Regex.Replace(json, "\"HiddenSize\":\\s*\\d+", "\"HiddenSize\":16000"));
        long before = GC.GetTotalAllocatedBytes();

        var error = Assert.Catch(() => _ml.Model.Load(path, out _))!;

        Assert.That(Messages(error), Does.Contain("Network.bin").And.Contain("it declares a network of at least").And.Contain("HiddenSize 16000"));
        Assert.That(GC.GetTotalAllocatedBytes() - before, Is.LessThan(512L << 20), "refused from the sizes alone");
    }

    // Issue 30, item 4: an option this SeqClassify does not know (written by a newer one) was ignored,
    // and the network built with its default in place: different predictions, no error.
    [Test]
    public void ANetworkOptionThisVersionDoesNotKnowIsRefusedNamingTheWriter()
    {
        string path = WithNetwork(json => json.Replace("{", "{\"SlidingWindow\":64,", StringComparison.Ordinal));

        var error = Assert.Catch(() => _ml.Model.Load(path, out _))!;

        Assert.That(Messages(error), Does.Contain("Network.bin").And.Contain("does not know ($.SlidingWindow)").And.Contain("written by SeqClassify "));
    }

    /// <summary>A copy of the model whose network options (Network.bin's JSON) are edited, the entry's checksum written anew.</summary>
    private string WithNetwork(Func<string, string> edit)
    {
        string path = Copy();
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith("Network.bin", StringComparison.Ordinal));
        byte[] bytes = Read(entry);
        const int Header = 4 + 8 + 32;  // magic, length, SHA-256
        using var reader = new BinaryReader(new MemoryStream(bytes, Header, bytes.Length - Header));
        string json = edit(reader.ReadString());
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true)) writer.Write(json);
        var body = payload.ToArray();
        var rewritten = new MemoryStream();
        using (var writer = new BinaryWriter(rewritten))
        {
            writer.Write(BitConverter.ToUInt32(bytes, 0));
            writer.Write(body.LongLength);
            writer.Write(System.Security.Cryptography.SHA256.HashData(body));
            writer.Write(body);
        }
        Rewrite(zip, entry, rewritten.ToArray());
        return path;
    }

    [Test]
    public void ATruncatedEntryIsRefused()
    {
        string path = Copy();
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("Vocabulary.bin", StringComparison.Ordinal));
            byte[] bytes = Read(entry);
            Rewrite(zip, entry, bytes[..(bytes.Length / 2)]);
        }

        var error = Assert.Catch(() => _ml.Model.Load(path, out _))!;

        Assert.That(Messages(error), Does.Contain("SeqClassifyTokenIds").And.Contain("Vocabulary.bin"));
    }

    [Test]
    public void ANewerVersionOfAStepIsRefusedNamingTheStep()
    {
        string path = Copy();
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            // ML.NET's model header: the component's signature at 0x40, its written/readable versions at 0x48/0x4C.
            var entry = zip.Entries.Where(e => e.Name == "Model.key").Single(e => Read(e).AsSpan(0x40, 8).SequenceEqual("SCRNNCLS"u8));
            byte[] bytes = Read(entry);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(0x48), 0x00020001);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(0x4C), 0x00020001);
            Rewrite(zip, entry, bytes);
        }

        var error = Assert.Catch(() => _ml.Model.Load(path, out _))!;

        Assert.That(Messages(error), Does.Contain("SeqClassify step 'SeqClassifyRnnClassifier'").And.Contain("written by a newer SeqClassify").And.Contain("format 0x00020001").And.Contain("update SeqClassify to load it"));
    }

    [Test]
    public void ATruncatedFileIsAClearExceptionNotACrash()
    {
        string path = Copy();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);

        Assert.That(() => _ml.Model.Load(path, out _), Throws.InstanceOf<Exception>());
    }

    private string Copy()
    {
        string path = Path.Combine(TestData.ScratchDirectory(), "copy.zip");
        File.Copy(_path, path);
        return path;
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static void Rewrite(ZipArchive zip, ZipArchiveEntry entry, byte[] bytes)
    {
        string name = entry.FullName;
        entry.Delete();
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(bytes);
    }

    private static string Messages(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException) messages.Add(e.Message);
        return string.Join(" | ", messages);
    }
}
