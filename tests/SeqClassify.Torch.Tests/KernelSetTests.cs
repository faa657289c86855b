using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// The engine's kernel sets (native/kernels/sc_cpu_kernels.h): the best one the CPU can run is chosen
/// from its feature flags, and every set gives PyTorch's numbers.
/// </summary>
[TestFixture]
public class KernelSetTests
{
    private static IEnumerable<string> Sets() => TorchRuntime.KernelSets;

    private static IEnumerable<TestCaseData> SetsAndFixtures() =>
        from set in TorchRuntime.KernelSets
        from fixture in ParityFixture.Names()
        select new TestCaseData(set, fixture);

    [Test]
    public void TheBestSetTheCpuCanRunIsInUse()
    {
        var expected = new List<string>();
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            // .NET's own reading of the CPU's flags (and the operating system's support) must agree.
            if (Avx512F.IsSupported) expected.Add("avx512");
            if (Avx2.IsSupported && Fma.IsSupported) expected.Add("avx2");
        }
        expected.Add("baseline");

        Assert.That(TorchRuntime.KernelSets, Is.EqualTo(expected));
        Assert.That(TorchRuntime.Kernels, Is.EqualTo(expected[0]));
    }

    [Test]
    public void AnUnknownSetIsRefusedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => TorchRuntime.Kernels = "avx9000");

        Assert.That(error!.Message, Does.Contain("'avx9000'").And.Contain("unknown or this CPU cannot run it"));
        Assert.That(TorchRuntime.Kernels, Is.EqualTo(TorchRuntime.KernelSets[0]), "the set in use is unchanged");
    }

    [TestCaseSource(nameof(SetsAndFixtures))]
    public void EverySetGivesPyTorchsLogitsAndGradients(string set, string name)
    {
        var fixture = ParityFixture.Load(name);
        using var model = new SequenceClassifierModel(fixture.Options);
        model.ImportParameters(fixture.Parameters);

        TestModels.WithKernels(set, () =>
        {
            Assert.That(model.Predict(fixture.Batch, ModelOutput.Logits), Is.EqualTo(fixture.Logits).Within(1e-5f));
            Assert.That(model.ComputeGradients(fixture.Batch, fixture.Labels), Is.EqualTo(fixture.Loss).Within(1e-5));
            foreach (var gradient in TensorArchive.Read(model.ExportGradients()))
            {
                Assert.That(gradient.Floats, Is.EqualTo(fixture.Gradients[gradient.Name].Floats).Within(1e-4f), gradient.Name);
            }
        });
    }

    // Seeds make training reproducible on any machine size: every sum the engine computes in parallel
    // is split in pieces that do not depend on the thread count, and dropout masks are a hash of
    // (seed, position). Wide, long rows, dropout everywhere, both encoders.
    [TestCase(SequenceEncoder.Rnn)]
    [TestCase(SequenceEncoder.Transformer)]
    public void TrainingEndsAtTheSameParametersOnAnyThreadCount(SequenceEncoder encoder)
    {
        var options = new SequenceModelOptions
        {
            VocabularySize = TestModels.Vocabulary, InputSize = 36, HiddenSize = 40, NumLayers = 2, Bidirectional = true,
            Cell = RnnCellType.Lstm, Pooling = SequencePooling.Attention, NumClasses = 3, Seed = 3, HeadHiddenSize = 16,
            EmbeddingDropout = 0.1f, RnnDropout = 0.2f, Dropout = 0.3f, GradientClipNorm = 1f, WeightDecay = 0.01f,
            Encoder = encoder, Heads = 4, FeedForwardSize = 64, TransformerDropout = 0.1f, MaxPositions = 128,
        };
        var lengths = Enumerable.Range(0, 20).Select(i => 1 + (i * 37) % 100).ToArray();
        var batch = TestModels.Batch(TestModels.RandomSequences(lengths));
        long[] labels = lengths.Select(n => (long)(n % 3)).ToArray();
        int previousThreads = TorchRuntime.Threads;
        try
        {
            var results = new List<Dictionary<string, float[]>>();
            foreach (int threads in new[] { 1, 2, 3 })
            {
                TorchRuntime.Threads = threads;
                using var model = new SequenceClassifierModel(options);
                for (int step = 0; step < 3; step++) model.TrainStep(batch, labels, 0.01);
                results.Add(TensorArchive.Read(model.ExportParameters()).ToDictionary(t => t.Name, t => t.Floats!));
            }
            foreach (var (name, values) in results[0])
            {
                Assert.That(results[1][name], Is.EqualTo(values), $"{name}, 2 threads");
                Assert.That(results[2][name], Is.EqualTo(values), $"{name}, 3 threads");
            }
        }
        finally
        {
            TorchRuntime.Threads = previousThreads;
        }
    }

    [Test]
    public void SgemmIsMeasuredAndBadShapesAreRefused()
    {
        Assert.That(TorchRuntime.MeasureSgemm(64, 64, 64, 2), Is.GreaterThan(0));
        Assert.That(TorchRuntime.MeasureSgemm(3, 70, 5, 2), Is.GreaterThan(0));
        Assert.That(() => TorchRuntime.MeasureSgemm(0, 64, 64, 1), Throws.ArgumentException.With.Message.Contains("must be at least 1"));
    }
}
