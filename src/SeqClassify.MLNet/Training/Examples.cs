using System.Runtime.InteropServices;
using SeqClassify.MLNet.Data;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// Sequences (token ids or feature vectors) and class indices read into memory once, so that
/// epochs can shuffle them; and the padded batches made from them.
/// </summary>
internal sealed class Examples
{
    private Examples(long[][]? ids, float[][][]? features, int featureSize, int[] labels)
    {
        Ids = ids;
        Features = features;
        FeatureSize = featureSize;
        Labels = labels;
    }

    public long[][]? Ids { get; }
    public float[][][]? Features { get; }
    public int FeatureSize { get; }

    /// <summary>0-based class per row (key - 1); -1 where the data had no label column.</summary>
    public int[] Labels { get; }

    public int Count => Labels.Length;

    public int LengthOf(int row) => Ids?[row].Length ?? Features![row].Length;

    /// <summary>Reads a view. Rows with a missing label (key 0) are refused, naming the row.</summary>
    public static Examples Read(IDataView data, string featureColumn, string? labelColumn, int maxLength)
    {
        var schema = data.Schema;
        int feature = schema[featureColumn].Index;
        int label = labelColumn is null ? -1 : schema[labelColumn].Index;
        bool tokens = RnnTrainerOptions.IsTokenColumn(schema[featureColumn].Type);
        var ids = new List<long[]>();
        var features = new List<float[][]>();
        var labels = new List<int>();
        int featureSize = 0;
        foreach (var row in data.GetRows())
        {
            if (tokens)
            {
                var sequence = row.Values[feature] as long[];
                if (sequence is null || sequence.Length == 0)
                {
                    throw new InvalidOperationException($"Row {row.Position}: column '{featureColumn}' holds no token ids.");
                }
                ids.Add(maxLength > 0 && sequence.Length > maxLength ? sequence[..maxLength] : sequence);
            }
            else
            {
                var sequence = row.Values[feature] as float[][];
                if (sequence is null || sequence.Length == 0)
                {
                    throw new InvalidOperationException($"Row {row.Position}: column '{featureColumn}' holds an empty sequence.");
                }
                if (featureSize == 0) featureSize = sequence[0]?.Length ?? 0;
                for (int step = 0; step < sequence.Length; step++)
                {
                    if (sequence[step] is null || sequence[step].Length != featureSize || featureSize == 0)
                    {
                        throw new InvalidOperationException(
                            $"Row {row.Position}, step {step}: expected {featureSize} features per step, got {sequence[step]?.Length.ToString() ?? "null"}.");
                    }
                }
                features.Add(maxLength > 0 && sequence.Length > maxLength ? sequence[..maxLength] : sequence);
            }
            if (label < 0)
            {
                labels.Add(-1);
                continue;
            }
            uint key = row.Values[label] is uint k ? k : 0;
            if (key == 0)
            {
                throw new InvalidOperationException(
                    $"Row {row.Position}: label column '{labelColumn}' is missing (null, empty, or a value the label keys were not learned from).");
            }
            labels.Add((int)key - 1);
        }
        return new Examples(tokens ? ids.ToArray() : null, tokens ? null : features.ToArray(), featureSize, labels.ToArray());
    }

    public Examples Subset(IReadOnlyList<int> rows) => new(
        Ids is null ? null : rows.Select(r => Ids[r]).ToArray(),
        Features is null ? null : rows.Select(r => Features[r]).ToArray(),
        FeatureSize,
        rows.Select(r => Labels[r]).ToArray());

    /// <summary>Pads the given rows into one batch, in the given order.</summary>
    public SequenceBatch Batch(IReadOnlyList<int> rows) => Ids is not null
        ? SequenceBatch.FromTokenIds(rows.Select(r => (IReadOnlyList<long>)Ids[r]).ToList())
        : SequenceBatch.FromFeatures(rows.Select(r => Features![r]).ToList(), FeatureSize);

    public long[] LabelsOf(IReadOnlyList<int> rows) => rows.Select(r => (long)Labels[r]).ToArray();
}

/// <summary>Splits rows into batches for an epoch.</summary>
internal static class BatchPlanner
{
    // Rows of similar length share a batch, so little work is spent on padding; sorting only
    // within shuffled chunks of this many batches keeps the epoch's order random.
    private const int BatchesPerBucketChunk = 50;

    public static List<int[]> Plan(Examples examples, int batchSize, Random random, bool bucketByLength)
    {
        var order = Enumerable.Range(0, examples.Count).ToArray();
        random.Shuffle(order);
        var batches = new List<int[]>();
        int chunk = bucketByLength ? batchSize * BatchesPerBucketChunk : order.Length;
        for (int start = 0; start < order.Length; start += chunk)
        {
            var piece = order.AsSpan(start, Math.Min(chunk, order.Length - start)).ToArray();
            if (bucketByLength)
            {
                Array.Sort(piece.Select(examples.LengthOf).ToArray(), piece);
            }
            for (int b = 0; b < piece.Length; b += batchSize)
            {
                batches.Add(piece[b..Math.Min(b + batchSize, piece.Length)]);
            }
        }
        if (bucketByLength)
        {
            random.Shuffle(CollectionsMarshal.AsSpan(batches));
        }
        return batches;
    }

    /// <summary>Consecutive rows in length order (for prediction, where order does not matter to the result).</summary>
    public static List<int[]> InLengthOrder(Examples examples, int batchSize)
    {
        var order = Enumerable.Range(0, examples.Count).OrderBy(examples.LengthOf).ToArray();
        return order.Chunk(batchSize).ToList();
    }
}
