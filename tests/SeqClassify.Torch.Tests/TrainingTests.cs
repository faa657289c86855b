namespace SeqClassify.Torch.Tests;

[TestFixture]
public class TrainingTests
{
    private static (long[][] Sequences, long[] Labels, int Vocabulary) Sentences()
    {
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "sentences.tsv"))
            .Select(line => line.Split('\t')).ToList();
        var vocabulary = new Dictionary<string, long>();
        long IdOf(string word) => vocabulary.TryGetValue(word, out long id) ? id : vocabulary[word] = vocabulary.Count + 2;
        var sequences = rows.Select(r => r[1].Split(' ').Select(IdOf).ToArray()).ToArray();
        var labels = rows.Select(r => r[0] == "pos" ? 1L : 0L).ToArray();
        return (sequences, labels, vocabulary.Count + 2);
    }

    [TestCase(SequenceEncoder.Rnn, RnnCellType.Gru, SequencePooling.Last)]
    [TestCase(SequenceEncoder.Rnn, RnnCellType.Lstm, SequencePooling.Last)]
    [TestCase(SequenceEncoder.Rnn, RnnCellType.Lstm, SequencePooling.Attention)]
    [TestCase(SequenceEncoder.Transformer, RnnCellType.Gru, SequencePooling.Mean)]
    public void OverfitsSixtyFourShortSentences(SequenceEncoder encoder, RnnCellType cell, SequencePooling pooling)
    {
        var (sequences, labels, vocabulary) = Sentences();
        Assert.That(sequences, Has.Length.EqualTo(64));
        using var model = new SequenceClassifierModel(new SequenceModelOptions
        {
            VocabularySize = vocabulary, InputSize = 16, HiddenSize = 32, Cell = cell, NumClasses = 2, Seed = 3,
            Encoder = encoder, Pooling = pooling, Heads = 4, FeedForwardSize = 64, MaxPositions = 64,
            Bidirectional = false, Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0, // PyTorch's modules' defaults, not the library's
        });
        var order = Enumerable.Range(0, 64).ToArray();
        var random = new Random(5);

        long correct = 0;
        for (int epoch = 0; epoch < 80 && correct < 64; epoch++)
        {
            random.Shuffle(order);
            for (int start = 0; start < 64; start += 16)
            {
                var rows = order[start..(start + 16)];
                model.TrainStep(TestModels.Batch(rows.Select(r => sequences[r])), rows.Select(r => labels[r]).ToArray(), 0.01);
            }
            float[] probabilities = model.Predict(TestModels.Batch(sequences));
            correct = Enumerable.Range(0, 64).Count(r => (probabilities[r * 2 + 1] > 0.5f ? 1 : 0) == labels[r]);
        }

        Assert.That(correct, Is.EqualTo(64), "training accuracy");
    }

    [Test]
    public void TrainStepReportsLossAndCorrectCount()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        var batch = TestModels.Batch(TestModels.RandomSequences(4, 5, 6));

        var result = model.TrainStep(batch, [0, 1, 2], 0.01);

        // Near-uniform predictions at initialisation: loss close to ln(3).
        Assert.That(result.Loss, Is.EqualTo(Math.Log(3)).Within(0.3));
        Assert.That(result.Correct, Is.InRange(0, 3));
    }

    [Test]
    public void WithoutDecayOnBiasesAndNormsOnlyTheRankOneParametersStepDifferently()
    {
        // The same first step with and without the exemption: the gradients and moments are equal, so
        // a matrix moves the same, and a bias or LayerNorm weight differs by exactly AdamW's decay term.
        const double lr = 0.1;
        const float decay = 0.5f;
        var batch = TestModels.Batch(TestModels.RandomSequences(4, 5, 6));
        var before = new Dictionary<string, NamedTensor>();
        var after = new Dictionary<bool, Dictionary<string, NamedTensor>>();
        foreach (bool decayAll in new[] { true, false })
        {
            var options = TestModels.TransformerOptions();
            options.EmbeddingNorm = true;
            options.WeightDecay = decay;
            options.DecayBiasesAndNorms = decayAll;
            using var model = new SequenceClassifierModel(options);
            foreach (var p in TensorArchive.Read(model.ExportParameters())) before[p.Name] = p;
            model.TrainStep(batch, [0, 1, 2], lr);
            after[decayAll] = TensorArchive.Read(model.ExportParameters()).ToDictionary(p => p.Name);
        }

        Assert.That(before.Values.Count(p => p.Shape.Length == 1), Is.GreaterThan(10), "biases and norms to compare");
        Assert.Multiple(() =>
        {
            foreach (var (name, start) in before)
            {
                float[] all = after[true][name].Floats!, exempt = after[false][name].Floats!;
                for (int i = 0; i < all.Length; i++)
                {
                    // Decoupled decay: p - lr * decay * p, then the same Adam step.
                    float expected = start.Shape.Length == 1 ? all[i] + (float)(lr * decay) * start.Floats![i] : all[i];
                    Assert.That(exempt[i], Is.EqualTo(expected).Within(1e-6), $"{name}[{i}]");
                }
            }
        });
    }

    [TestCase(SequenceEncoder.Rnn)]
    [TestCase(SequenceEncoder.Transformer)]  // attention dropout, learned positions, attention pooling
    public void TheSeedMakesInitialisationAndDropoutReproducible(SequenceEncoder encoder)
    {
        byte[] TrainThreeSteps(long seed)
        {
            var options = encoder == SequenceEncoder.Rnn ? TestModels.TokenOptions(layers: 2) : TestModels.TransformerOptions(SequencePooling.Attention);
            options.Seed = seed;
            options.Dropout = 0.5f;
            options.RnnDropout = 0.3f;
            options.EmbeddingDropout = 0.2f;
            options.TransformerDropout = 0.3f;
            options.PositionalEncoding = encoder == SequenceEncoder.Transformer ? PositionalEncoding.Learned : PositionalEncoding.Sinusoidal;
            using var model = new SequenceClassifierModel(options);
            var batch = TestModels.Batch(TestModels.RandomSequences(4, 7, 2));
            for (int i = 0; i < 3; i++) model.TrainStep(batch, [0, 1, 2], 0.05);
            return model.ExportParameters();
        }

        Assert.That(TrainThreeSteps(42), Is.EqualTo(TrainThreeSteps(42)));
        Assert.That(TrainThreeSteps(43), Is.Not.EqualTo(TrainThreeSteps(42)));
    }

    [Test]
    public void ReleasingCachedMemoryFreesIdleBlocksAndTheModelGoesOn()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        // 64 rows x 600 steps: buffers well over the cache's 256 KiB floor.
        var batch = TestModels.Batch(Enumerable.Range(0, 64).Select(_ => TestModels.RandomSequences(600)[0]));
        long[] labels = Enumerable.Range(0, 64).Select(i => (long)(i % 3)).ToArray();
        model.TrainStep(batch, labels, 0.01);
        float[] before = model.Predict(batch);

        Assert.That(TorchRuntime.ReleaseCachedMemory(), Is.GreaterThan(0), "the step's buffers were cached");
        Assert.That(TorchRuntime.ReleaseCachedMemory(), Is.Zero, "nothing is left to release");
        Assert.That(model.Predict(batch), Is.EqualTo(before));
        Assert.That(double.IsFinite(model.TrainStep(batch, labels, 0.01).Loss));
    }

    [Test]
    public void ProbabilitiesSumToOne()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        float[] p = model.Predict(TestModels.Batch(TestModels.RandomSequences(3, 1, 5)));
        for (int row = 0; row < 3; row++)
        {
            Assert.That(p[(row * 3)..(row * 3 + 3)].Sum(), Is.EqualTo(1f).Within(1e-5f));
        }
    }

    [TestCase(SequenceEncoder.Rnn)]
    [TestCase(SequenceEncoder.Transformer)]  // through its input projection
    public void FeatureSequencesTrainWithoutAnEmbedding(SequenceEncoder encoder)
    {
        // A numeric task: is the sum of a 1-feature sequence positive? Sequences of varying length.
        var random = new Random(1);
        var sequences = Enumerable.Range(0, 64).Select(_ =>
            Enumerable.Range(0, random.Next(2, 9)).Select(_ => new[] { (float)(random.NextDouble() * 2 - 1) }).ToArray()).ToList();
        long[] labels = sequences.Select(s => s.Sum(step => step[0]) > 0 ? 1L : 0L).ToArray();
        using var model = new SequenceClassifierModel(new SequenceModelOptions
        {
            VocabularySize = 0, InputSize = 1, HiddenSize = 16, NumClasses = 2, Seed = 2,
            Encoder = encoder, Pooling = encoder == SequenceEncoder.Transformer ? SequencePooling.Mean : SequencePooling.Last,
            Heads = 2, FeedForwardSize = 32, MaxPositions = 16, TransformerDropout = 0,
            Bidirectional = false, Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0, // PyTorch's modules' defaults, not the library's
        });
        var batch = SequenceBatch.FromFeatures(sequences, 1);
        double firstLoss = model.TrainStep(batch, labels, 0.02).Loss;
        double lastLoss = firstLoss;
        for (int i = 0; i < 150; i++) lastLoss = model.TrainStep(batch, labels, 0.02).Loss;

        Assert.That(lastLoss, Is.LessThan(firstLoss * 0.5));
    }
}
