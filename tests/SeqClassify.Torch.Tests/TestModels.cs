namespace SeqClassify.Torch.Tests;

/// <summary>Small models and batches for tests that need no fixture.</summary>
internal static class TestModels
{
    public const int Vocabulary = 30;

    public static SequenceModelOptions TokenOptions(RnnCellType cell = RnnCellType.Gru, bool bidirectional = false,
        SequencePooling pooling = SequencePooling.Last, int layers = 1) => new()
    {
        VocabularySize = Vocabulary,
        InputSize = 8,
        HiddenSize = 6,
        NumLayers = layers,
        Cell = cell,
        Bidirectional = bidirectional,
        Pooling = pooling,
        NumClasses = 3,
        Seed = 7,
        Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0, // PyTorch's modules' defaults, not the library's
    };

    /// <summary>A small Transformer over the same vocabulary: width 8, 2 heads, 2 layers, at most 12 positions.</summary>
    public static SequenceModelOptions TransformerOptions(SequencePooling pooling = SequencePooling.Mean) => new()
    {
        Encoder = SequenceEncoder.Transformer,
        VocabularySize = Vocabulary,
        InputSize = 8,
        HiddenSize = 8,
        Heads = 2,
        FeedForwardSize = 16,
        NumLayers = 2,
        MaxPositions = 12,
        Pooling = pooling,
        NumClasses = 3,
        Seed = 5,
        Bidirectional = false, Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0, // PyTorch's modules' defaults, not the library's
    };

    /// <summary>Sequences of the given lengths with ids in [2, Vocabulary), from a fixed seed.</summary>
    public static long[][] RandomSequences(params int[] lengths)
    {
        var random = new Random(11);
        return lengths.Select(n => Enumerable.Range(0, n).Select(_ => (long)random.Next(2, Vocabulary)).ToArray()).ToArray();
    }

    public static SequenceBatch Batch(IEnumerable<long[]> sequences) =>
        SequenceBatch.FromTokenIds(sequences.Select(s => (IReadOnlyList<long>)s).ToList());

    /// <summary>Rows [from, from + count) of a row-major [rows x columns] matrix.</summary>
    public static float[] Rows(float[] matrix, int columns, int from, int count) =>
        matrix.AsSpan(from * columns, count * columns).ToArray();

    /// <summary>Runs <paramref name="body"/> on the kernel set <paramref name="set"/>, then restores the one in use.</summary>
    public static void WithKernels(string set, Action body)
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
