namespace SeqClassify.Torch.Tests;

/// <summary>
/// The engine's own thread pool (native/sc_thread_pool.h): any thread count, and any number of
/// concurrent callers, give the same numbers. Each row block and each output row of a product is
/// computed whole by one thread, so the results are bit-identical, not merely close.
/// </summary>
[TestFixture]
public class ThreadPoolTests
{
    private static SequenceModelOptions WideOptions() => new()
    {
        VocabularySize = TestModels.Vocabulary, InputSize = 36, HiddenSize = 40, NumLayers = 2, Bidirectional = true,
        Cell = RnnCellType.Lstm, Pooling = SequencePooling.Max, NumClasses = 3, Seed = 5,
    };

    private static SequenceBatch ManyRows() =>
        TestModels.Batch(TestModels.RandomSequences(Enumerable.Range(0, 30).Select(i => 1 + (i * 29) % 70).ToArray()));

    private static readonly long[] Labels = Enumerable.Range(0, 30).Select(i => (long)(i % 3)).ToArray();

    [Test]
    public void EveryThreadCountGivesBitIdenticalLogitsAndGradients()
    {
        using var model = new SequenceClassifierModel(WideOptions());
        var batch = ManyRows();
        int previous = TorchRuntime.Threads;
        try
        {
            var results = new List<(float[] Logits, float[] Gradients)>();
            foreach (int threads in new[] { 1, 2, 3 })
            {
                TorchRuntime.Threads = threads;
                Assert.That(TorchRuntime.Threads, Is.EqualTo(threads));
                model.ComputeGradients(batch, Labels);
                results.Add((model.Predict(batch, ModelOutput.Logits), TensorArchive.Read(model.ExportGradients()).SelectMany(t => t.Floats!).ToArray()));
            }

            Assert.That(results[1].Logits, Is.EqualTo(results[0].Logits));
            Assert.That(results[2].Logits, Is.EqualTo(results[0].Logits));
            Assert.That(results[1].Gradients, Is.EqualTo(results[0].Gradients));
            Assert.That(results[2].Gradients, Is.EqualTo(results[0].Gradients));
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }

    [Test]
    public void ConcurrentCallersGetWhatEachGetsAlone()
    {
        int previous = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Threads = 2;
            var models = Enumerable.Range(0, 4).Select(_ => new SequenceClassifierModel(WideOptions())).ToArray();
            var batch = ManyRows();
            var alone = models.Select(m => m.Predict(batch, ModelOutput.Logits)).ToArray();
            var together = new float[models.Length * 5][];

            // Five predictions per model, all at once from the .NET thread pool.
            Parallel.For(0, together.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
                i => together[i] = models[i % models.Length].Predict(batch, ModelOutput.Logits));

            for (int i = 0; i < together.Length; i++) Assert.That(together[i], Is.EqualTo(alone[i % models.Length]), $"call {i}");
            foreach (var m in models) m.Dispose();
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }

    [TestCase(0)]
    [TestCase(10000)]
    public void ThreadCountsOutsideOneToFourPerCoreAreRefused(int threads)
    {
        int before = TorchRuntime.Threads;

        Assert.That(() => TorchRuntime.Threads = threads, Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"Threads must be between 1 and {4 * Environment.ProcessorCount}").And.Message.Contains($"got {threads}"));
        Assert.That(TorchRuntime.Threads, Is.EqualTo(before));
    }
}
