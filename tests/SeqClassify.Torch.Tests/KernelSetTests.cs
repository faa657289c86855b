using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// The fused layer's kernel sets (native/sc_cpu_kernels.h): the best one the CPU can run is chosen
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

        WithKernels(set, () =>
        {
            Assert.That(model.Predict(fixture.Batch, ModelOutput.Logits), Is.EqualTo(fixture.Logits).Within(1e-5f));
            Assert.That(model.ComputeGradients(fixture.Batch, fixture.Labels), Is.EqualTo(fixture.Loss).Within(1e-5));
            foreach (var gradient in TensorArchive.Read(model.ExportGradients()))
            {
                Assert.That(gradient.Floats, Is.EqualTo(fixture.Gradients[gradient.Name].Floats).Within(1e-4f), gradient.Name);
            }
        });
    }

    // The fixtures' layers are small (hidden 6). Here: panels full and partial in every product
    // (hidden 40: 120 gate columns; 36 inputs), more rows than one thread's block (20), and more
    // packed rows than one pass of the products' depth (about 1,000 tokens), on two threads.
    [TestCaseSource(nameof(Sets))]
    public void WideLayersLongSequencesAndManyRowsGiveLibtorchsNumbers(string set)
    {
        var options = new SequenceModelOptions
        {
            VocabularySize = TestModels.Vocabulary, InputSize = 36, HiddenSize = 40, NumLayers = 2, Bidirectional = true,
            Cell = RnnCellType.Gru, Pooling = SequencePooling.Mean, NumClasses = 3, Seed = 3,
        };
        using var fused = new SequenceClassifierModel(options);
        options.UseLibtorchRnn = true;
        using var libtorch = new SequenceClassifierModel(options);
        libtorch.ImportParameters(fused.ExportParameters());
        var lengths = Enumerable.Range(0, 20).Select(i => 1 + (i * 37) % 100).ToArray();
        var batch = TestModels.Batch(TestModels.RandomSequences(lengths));
        long[] labels = lengths.Select(n => (long)(n % 3)).ToArray();
        int previousThreads = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Threads = 2;
            WithKernels(set, () =>
            {
                Assert.That(fused.Predict(batch, ModelOutput.Logits), Is.EqualTo(libtorch.Predict(batch, ModelOutput.Logits)).Within(1e-5f));
                Assert.That(fused.ComputeGradients(batch, labels), Is.EqualTo(libtorch.ComputeGradients(batch, labels)).Within(1e-5));
                var expected = TensorArchive.Read(libtorch.ExportGradients()).ToDictionary(t => t.Name);
                foreach (var gradient in TensorArchive.Read(fused.ExportGradients()))
                {
                    Assert.That(gradient.Floats, Is.EqualTo(expected[gradient.Name].Floats).Within(1e-5f), gradient.Name);
                }
            });
        }
        finally
        {
            TorchRuntime.Threads = previousThreads;
        }
    }

    [Test]
    public void SgemmIsMeasuredOnBothPaths()
    {
        Assert.That(TorchRuntime.MeasureSgemm("engine", 64, 64, 64, 2), Is.GreaterThan(0));
        Assert.That(TorchRuntime.MeasureSgemm("engine", 3, 70, 5, 2), Is.GreaterThan(0));
        Assert.That(TorchRuntime.MeasureSgemm("libtorch", 64, 64, 64, 2), Is.GreaterThan(0));
        Assert.That(() => TorchRuntime.MeasureSgemm("mkl", 64, 64, 64, 1), Throws.ArgumentException.With.Message.Contains("engine or libtorch, got mkl"));
        Assert.That(TorchRuntime.Blas, Does.StartWith("OpenBLAS ").Or.EqualTo("unknown"));
    }

    private static void WithKernels(string set, Action body)
    {
        string previous = TorchRuntime.Kernels;
        try
        {
            TorchRuntime.Kernels = set;
            Assert.That(TorchRuntime.Kernels, Is.EqualTo(set));
            body();
        }
        finally
        {
            TorchRuntime.Kernels = previous;
        }
    }
}
