namespace SeqClassify.Torch.Tests;

/// <summary>
/// The engine's own thread pool (native/kernels/sc_thread_pool.h): any thread count, and any number of
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
        Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0, // PyTorch's modules' defaults, not the library's
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

    // Dropout masks are drawn per element from (seed, index) on any thread (native/sc_dropout.h).
    [Test]
    public void TrainingWithDropoutDependsOnTheSeedAndNotOnTheThreadCount()
    {
        float[] Train(int threads, long seed)
        {
            TorchRuntime.Threads = threads;
            var options = WideOptions();
            options.NumLayers = 2;
            options.EmbeddingDropout = 0.3f;
            options.RnnDropout = 0.3f;
            options.Dropout = 0.5f;
            options.Seed = seed;
            using var model = new SequenceClassifierModel(options);
            var batch = ManyRows();
            for (int step = 0; step < 3; step++) model.TrainStep(batch, Labels, 0.01);
            return TensorArchive.Read(model.ExportParameters()).SelectMany(t => t.Floats!).ToArray();
        }
        int previous = TorchRuntime.Threads;
        try
        {
            var one = Train(1, seed: 5);
            var two = Train(2, seed: 5);
            var otherSeed = Train(2, seed: 6);

            Assert.That(two, Is.EqualTo(one), "the same seed on 1 and 2 threads");
            Assert.That(otherSeed, Is.Not.EqualTo(one), "another seed draws other masks (and weights)");
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }

    [Test]
    public void DropoutZeroesAboutItsShareAndScalesTheRest()
    {
        // Through the gradients of a model whose only dropout is before the head: the head's weight
        // gradient is zero exactly in the columns whose pooled input was dropped for every row.
        var options = WideOptions();
        options.Bidirectional = false;
        options.Dropout = 0.5f;
        using var model = new SequenceClassifierModel(options);
        var batch = TestModels.Batch(TestModels.RandomSequences(Enumerable.Repeat(20, 1).ToArray()));

        var zeroColumns = new List<int>();
        for (int trial = 0; trial < 20; trial++)
        {
            model.ComputeGradients(batch, [1]);
            var head = TensorArchive.Read(model.ExportGradients()).Single(t => t.Name == "fc.weight");
            int columns = (int)head.Shape[1];
            zeroColumns.Add(Enumerable.Range(0, columns).Count(c => Enumerable.Range(0, (int)head.Shape[0]).All(r => head.Floats![r * columns + c] == 0f)));
        }

        // 40 pooled features, half dropped on average: 20 trials x 40 = 800 draws.
        Assert.That(zeroColumns.Sum() / 800.0, Is.InRange(0.4, 0.6));
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
