using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Tests;

[TestFixture]
public class ModelPersistenceTests
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
    public void SaveThenLoadGivesIdenticalPredictions()
    {
        var loaded = _ml.Model.Load(_path, out var inputSchema);

        var before = _ml.Data.CreateEnumerable<TextPrediction>(_model.Transform(_data)).ToList();
        var after = _ml.Data.CreateEnumerable<TextPrediction>(loaded.Transform(_data)).ToList();

        Assert.That(inputSchema.Select(c => c.ToString()), Is.EqualTo(_data.Schema.Select(c => c.ToString())));
        Assert.That(after.Select(p => p.PredictedLabel), Is.EqualTo(before.Select(p => p.PredictedLabel)));
        Assert.That(after.SelectMany(p => p.Score), Is.EqualTo(before.SelectMany(p => p.Score)));
    }

    [Test]
    public void TheManifestDescribesEveryStep()
    {
        var manifest = _ml.Model.ReadManifest(_path);
        var steps = manifest["steps"]!.AsArray().Select(s => s!["kind"]!.GetValue<string>());

        Assert.That(manifest["formatVersion"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(steps, Is.EqualTo(new[] { "MapValueToKey", "TokenizeIntoWords", "MapTokensToIds", "RnnSequenceClassifier", "MapKeyToValue" }));
        var classifier = manifest["steps"]![3]!["options"]!;
        Assert.That(classifier["labelNames"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "pos", "neg" }));
        Assert.That(classifier["history"]!["Epochs"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(manifest["outputSchema"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Does.Contain("Score").And.Contain("PredictedLabel"));
    }

    [Test]
    public void SavingOverAnExistingModelIsAtomic()
    {
        string path = Path.Combine(TestData.ScratchDirectory(), "model.zip");
        File.WriteAllText(path, "previous model");

        // A schema the model cannot be applied to makes Save fail half-way through.
        var wrongSchema = new DataViewSchema([("Other", TextDataViewType.Instance, null)]);
        Assert.That(() => _ml.Model.Save(_model, wrongSchema, path), Throws.Exception);

        Assert.That(File.ReadAllText(path), Is.EqualTo("previous model"), "the old file is untouched");
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Has.Length.EqualTo(1), "no temporary file is left");
    }

    [Test]
    public void ANewerFormatVersionIsRefused() =>
        AssertRefused(Rewrite(m => m["formatVersion"] = 7), "format version 7 is newer");

    [Test]
    public void AnUnknownStepIsRefused() =>
        AssertRefused(Rewrite(m => m["steps"]![1]!["kind"] = "Mystery"), "Unknown step kind 'Mystery'");

    [Test]
    public void AMissingEntryIsRefused() =>
        AssertRefused(Rewrite(null, drop: "steps/3/weights.sct"), "'steps/3/weights.sct' is missing");

    [Test]
    public void WeightsThatDisagreeWithTheManifestAreRefused() =>
        AssertRefused(Rewrite(m => m["steps"]![3]!["options"]!["model"]!["hiddenSize"] = 20), "rnn.weight_ih_l0");

    [Test]
    public void AnEntryNameThatEscapesTheDirectoryIsRefused() =>
        AssertRefused(Rewrite(null, extra: ("../../etc/evil", [1, 2, 3])), "would escape");

    [Test]
    public void AnAbsurdDeclaredSizeIsRefused() =>
        AssertRefused(Rewrite(null, extra: ("steps/9/bomb", new byte[10_000_000])), "absurd size");

    [TestCase(0.5)]
    [TestCase(0.1)]
    public void ATruncatedFileIsRefused(double keep)
    {
        byte[] bytes = File.ReadAllBytes(_path);
        string path = Path.Combine(TestData.ScratchDirectory(), "cut.zip");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
        AssertRefused(path, "cannot be loaded");
    }

    [Test]
    public void AFileThatIsNotAModelIsRefused()
    {
        string path = TestData.WriteFile("just text", ".zip");
        AssertRefused(path, "cannot be loaded");
    }

    private void AssertRefused(string path, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => _ml.Model.Load(path, out _));
        Assert.That(error!.Message, Does.Contain(expected));
        Assert.That(error.Message, Does.Contain(path));
    }

    // A copy of the saved model with its manifest edited, an entry dropped or one added.
    private string Rewrite(Action<JsonObject>? edit, string? drop = null, (string Name, byte[] Bytes)? extra = null)
    {
        string path = Path.Combine(TestData.ScratchDirectory(), "edited.zip");
        using (var source = ZipFile.OpenRead(_path))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries.Where(e => e.FullName != drop))
            {
                using var input = entry.Open();
                using var buffer = new MemoryStream();
                input.CopyTo(buffer);
                byte[] bytes = buffer.ToArray();
                if (entry.FullName == "manifest.json" && edit is not null)
                {
                    var manifest = JsonNode.Parse(bytes)!.AsObject();
                    edit(manifest);
                    bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
                }
                using var output = target.CreateEntry(entry.FullName).Open();
                output.Write(bytes);
            }
            if (extra is { } e)
            {
                using var output = target.CreateEntry(e.Name, CompressionLevel.SmallestSize).Open();
                output.Write(e.Bytes);
            }
        }
        return path;
    }
}
