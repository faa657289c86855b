namespace SeqClassify.Torch;

/// <summary>
/// A padded batch: <see cref="BatchSize"/> rows of <see cref="MaxLength"/> steps, of which row i
/// holds <c>Lengths[i]</c> valid steps. Rows need not be sorted by length: the engine packs them
/// (PyTorch's enforce_sorted=false) and returns results in the batch's own order.
/// Holds either token ids (padding id 0) or float feature vectors, never both.
/// </summary>
public sealed class SequenceBatch
{
    private SequenceBatch(int batchSize, int maxLength, int featureSize, long[] lengths,
        long[]? ids64, int[]? ids32, float[]? features)
    {
        BatchSize = batchSize;
        MaxLength = maxLength;
        FeatureSize = featureSize;
        Lengths = lengths;
        TokenIds64 = ids64;
        TokenIds32 = ids32;
        Features = features;
    }

    /// <summary>Number of rows.</summary>
    public int BatchSize { get; }

    /// <summary>Padded row length in steps.</summary>
    public int MaxLength { get; }

    /// <summary>Floats per step for feature batches; 0 for token batches.</summary>
    public int FeatureSize { get; }

    /// <summary>Valid steps per row, each in [1, MaxLength].</summary>
    public long[] Lengths { get; }

    internal long[]? TokenIds64 { get; }
    internal int[]? TokenIds32 { get; }
    internal float[]? Features { get; }
    internal long[]? TokenTypes64 { get; private init; }
    internal int[]? TokenTypes32 { get; private init; }

    /// <summary>The document of each row when rows are windows of longer texts (<see cref="WithDocuments"/>); null: each row is its own.</summary>
    public long[]? Documents { get; private init; }

    /// <summary>The documents the rows make (0: each row is its own document).</summary>
    public int DocumentCount { get; private init; }

    /// <summary>The rows a prediction or a training target is of: the documents, or the rows.</summary>
    public int Outputs => DocumentCount > 0 ? DocumentCount : BatchSize;

    /// <summary>
    /// This batch with its rows grouped into documents (the windows of long texts): <paramref name="documents"/>[row]
    /// in [0, <paramref name="count"/>), each document with at least one row. The model then pools a document's rows'
    /// outputs (<see cref="SequenceModelOptions.WindowPooling"/>) and predicts, trains and takes targets per document.
    /// </summary>
    public SequenceBatch WithDocuments(long[] documents, int count)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Length != BatchSize) throw new ArgumentException($"{documents.Length} document indices for {BatchSize} rows.", nameof(documents));
        if (count < 1 || count > BatchSize) throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be between 1 and the {BatchSize} rows.");
        return new SequenceBatch(BatchSize, MaxLength, FeatureSize, Lengths, TokenIds64, TokenIds32, Features)
        {
            TokenTypes64 = TokenTypes64, TokenTypes32 = TokenTypes32, Documents = documents, DocumentCount = count,
        };
    }

    /// <summary>True when the batch carries token types (segment ids) beside its token ids.</summary>
    public bool HasTokenTypes => TokenTypes64 is not null || TokenTypes32 is not null;

    /// <summary>
    /// This batch with a token type (segment id: 0 for a pair's first text, 1 for its second, as
    /// BERT's token_type_ids) for every padded position, [BatchSize x MaxLength] row-major, of the
    /// ids' width; without them every position is type 0. The engine checks each against the model's
    /// <see cref="SequenceModelOptions.TokenTypes"/>.
    /// </summary>
    public SequenceBatch WithTokenTypes(long[] tokenTypes)
    {
        CheckTypes(tokenTypes, TokenIds64 is not null, "long");
        return new SequenceBatch(BatchSize, MaxLength, FeatureSize, Lengths, TokenIds64, TokenIds32, Features) { TokenTypes64 = tokenTypes, Documents = Documents, DocumentCount = DocumentCount };
    }

    /// <summary>The int32 form of <see cref="WithTokenTypes(long[])"/>, for a batch of int32 ids.</summary>
    public SequenceBatch WithTokenTypes(int[] tokenTypes)
    {
        CheckTypes(tokenTypes, TokenIds32 is not null, "int");
        return new SequenceBatch(BatchSize, MaxLength, FeatureSize, Lengths, TokenIds64, TokenIds32, Features) { TokenTypes32 = tokenTypes, Documents = Documents, DocumentCount = DocumentCount };
    }

    private void CheckTypes(Array tokenTypes, bool sameWidth, string width)
    {
        ArgumentNullException.ThrowIfNull(tokenTypes);
        if (!IsTokens) throw new InvalidOperationException("token types go with token ids; this batch holds feature vectors.");
        if (!sameWidth) throw new ArgumentException($"token types must have the ids' width; these ids are not {width}s.", nameof(tokenTypes));
        if (tokenTypes.Length != BatchSize * MaxLength)
        {
            throw new ArgumentException($"tokenTypes holds {tokenTypes.Length} values; {BatchSize} rows x {MaxLength} steps need {BatchSize * MaxLength}.", nameof(tokenTypes));
        }
    }

    /// <summary>True for a batch of token ids, false for feature vectors.</summary>
    public bool IsTokens => TokenIds64 is not null || TokenIds32 is not null;

    /// <summary>
    /// Wraps an already padded [batchSize x maxLength] id matrix (row-major) without copying.
    /// Lengths are checked by the engine, which names the row of any length outside [1, maxLength].
    /// </summary>
    public static SequenceBatch FromPaddedTokenIds(long[] ids, long[] lengths, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int batchSize = CheckShape(ids.Length, lengths, maxLength, 1, nameof(ids));
        return new SequenceBatch(batchSize, maxLength, 0, lengths, ids, null, null);
    }

    /// <summary>The int32 form of <see cref="FromPaddedTokenIds(long[], long[], int)"/>.</summary>
    public static SequenceBatch FromPaddedTokenIds(int[] ids, long[] lengths, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int batchSize = CheckShape(ids.Length, lengths, maxLength, 1, nameof(ids));
        return new SequenceBatch(batchSize, maxLength, 0, lengths, null, ids, null);
    }

    /// <summary>
    /// Wraps an already padded [batchSize x maxLength x featureSize] float array without copying.
    /// </summary>
    public static SequenceBatch FromPaddedFeatures(float[] features, long[] lengths, int maxLength, int featureSize)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (featureSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(featureSize), featureSize, "featureSize must be at least 1.");
        }
        int batchSize = CheckShape(features.Length, lengths, maxLength, featureSize, nameof(features));
        return new SequenceBatch(batchSize, maxLength, featureSize, lengths, null, null, features);
    }

    /// <summary>Pads variable-length id sequences with 0 to the longest one.</summary>
    public static SequenceBatch FromTokenIds(IReadOnlyList<IReadOnlyList<long>> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int maxLength = LongestOf(sequences.Count, i => sequences[i]?.Count ?? 0);
        var ids = new long[sequences.Count * maxLength];
        var lengths = new long[sequences.Count];
        for (int row = 0; row < sequences.Count; row++)
        {
            var sequence = sequences[row] ?? throw new ArgumentException($"sequence {row} is null.", nameof(sequences));
            lengths[row] = sequence.Count;
            if (sequence is long[] array)
            {
                array.CopyTo(ids, row * maxLength);  // the common case, and the training loop's
                continue;
            }
            for (int step = 0; step < sequence.Count; step++)
            {
                ids[row * maxLength + step] = sequence[step];
            }
        }
        return FromPaddedTokenIds(ids, lengths, maxLength);
    }

    /// <summary>Pads variable-length sequences of feature vectors (each step featureSize floats) with zeros.</summary>
    public static SequenceBatch FromFeatures(IReadOnlyList<float[][]> sequences, int featureSize)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int maxLength = LongestOf(sequences.Count, i => sequences[i]?.Length ?? 0);
        var features = new float[sequences.Count * maxLength * featureSize];
        var lengths = new long[sequences.Count];
        for (int row = 0; row < sequences.Count; row++)
        {
            var sequence = sequences[row] ?? throw new ArgumentException($"sequence {row} is null.", nameof(sequences));
            lengths[row] = sequence.Length;
            for (int step = 0; step < sequence.Length; step++)
            {
                if (sequence[step] is null || sequence[step].Length != featureSize)
                {
                    throw new ArgumentException(
                        $"sequence {row}, step {step}: expected {featureSize} features, got {sequence[step]?.Length.ToString() ?? "null"}.",
                        nameof(sequences));
                }
                sequence[step].CopyTo(features, (row * maxLength + step) * featureSize);
            }
        }
        return FromPaddedFeatures(features, lengths, maxLength, featureSize);
    }

    /// <summary>
    /// Pads variable-length sequences whose steps are flattened into one array per row (step after
    /// step, featureSize floats each; ML.NET's variable-length Vector&lt;Single&gt;) with zeros.
    /// </summary>
    public static SequenceBatch FromFlatFeatures(IReadOnlyList<float[]> sequences, int featureSize)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (featureSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(featureSize), featureSize, "featureSize must be at least 1.");
        }
        for (int row = 0; row < sequences.Count; row++)
        {
            if (sequences[row] is not { } sequence || sequence.Length % featureSize != 0)
            {
                throw new ArgumentException(
                    $"sequence {row}: {sequences[row]?.Length.ToString() ?? "null"} values are not whole steps of {featureSize} features.", nameof(sequences));
            }
        }
        int maxLength = LongestOf(sequences.Count, i => sequences[i].Length / featureSize);
        var features = new float[sequences.Count * maxLength * featureSize];
        var lengths = new long[sequences.Count];
        for (int row = 0; row < sequences.Count; row++)
        {
            lengths[row] = sequences[row].Length / featureSize;
            sequences[row].CopyTo(features, row * maxLength * featureSize);
        }
        return FromPaddedFeatures(features, lengths, maxLength, featureSize);
    }

    private static int LongestOf(int count, Func<int, int> lengthOf)
    {
        if (count == 0)
        {
            throw new ArgumentException("a batch needs at least one sequence, got none.", "sequences");
        }
        int longest = 0;
        for (int i = 0; i < count; i++)
        {
            longest = Math.Max(longest, lengthOf(i));
        }
        // An all-empty batch keeps one padded step, so that the engine reports the zero lengths by row.
        return Math.Max(longest, 1);
    }

    private static int CheckShape(int values, long[] lengths, int maxLength, int perStep, string valuesName)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Length == 0)
        {
            throw new ArgumentException("a batch needs at least one row, got an empty lengths array.", nameof(lengths));
        }
        if (maxLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be at least 1.");
        }
        long expected = (long)lengths.Length * maxLength * perStep;
        if (values != expected)
        {
            throw new ArgumentException(
                $"{valuesName} holds {values} values; {lengths.Length} rows x {maxLength} steps x {perStep} need {expected}.",
                valuesName);
        }
        return lengths.Length;
    }
}
