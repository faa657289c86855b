using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// Sequences (token ids, or feature vectors flattened step after step) and what they are trained towards
/// (class indices; or targets: a regression's scores, a multi-label row's 0/1 per label) read into memory once,
/// so that epochs can shuffle them; and the padded batches made from them.
/// </summary>
internal sealed class Examples
{
    private Examples(long[][]? ids, float[][]? features, int featureSize, int[] labels, float[]? targets = null, int targetWidth = 0)
    {
        Ids = ids;
        Features = features;
        FeatureSize = featureSize;
        Labels = labels;
        Targets = targets;
        TargetWidth = targetWidth;
    }

    public long[][]? Ids { get; }

    /// <summary>Per row, its steps' features one after another (length = steps x FeatureSize).</summary>
    public float[][]? Features { get; }

    public int FeatureSize { get; }

    /// <summary>0-based class per row (key - 1); -1 where no label column was read (or scores were).</summary>
    public int[] Labels { get; }

    /// <summary>
    /// Per row, <see cref="TargetWidth"/> floats, row-major: a regression's score (<see cref="ReadScores"/>) or a
    /// multi-label row's 1 or 0 per label (<see cref="ReadLabelSets"/>); null for single labels.
    /// </summary>
    public float[]? Targets { get; }

    /// <summary>Targets per row: 1 (a score) or the labels of a multi-label model.</summary>
    public int TargetWidth { get; }

    public int Count => Labels.Length;

    /// <summary>When set, a row longer than the window is read in windows (<see cref="Windows"/>): its batch rows are the windows, grouped by row.</summary>
    public Windows? Windows { get; private init; }

    /// <summary>These examples, batched in windows (null: whole rows).</summary>
    public Examples WithWindows(Windows? windows) => new(Ids, Features, FeatureSize, Labels, Targets, TargetWidth) { Windows = windows };

    /// <summary>A row's steps, or with windows the steps of all its windows (what its batch rows hold at most).</summary>
    public int LengthOf(int row)
    {
        int length = Ids?[row].Length ?? Features![row].Length / FeatureSize;
        return Windows is null ? length : Windows.Count(length) * Math.Min(length, Windows.Length);
    }

    /// <summary>
    /// Reads a view's feature column (and label keys, when <paramref name="labelColumn"/> is given).
    /// An empty sequence, a feature vector that is not whole steps, and a missing label (key 0) are
    /// refused naming the row.
    /// </summary>
    public static Examples Read(IDataView data, string featureColumn, int featureSize, string? labelColumn, int maxLength) =>
        Read(data, featureColumn, featureSize, labelColumn, maxLength, out _);

    /// <summary>As <see cref="Read(IDataView, string, int, string?, int)"/>; <paramref name="truncated"/>: the rows longer than maxLength, cut to it.</summary>
    public static Examples Read(IDataView data, string featureColumn, int featureSize, string? labelColumn, int maxLength, out int truncated)
    {
        var feature = data.Schema[featureColumn];
        var label = labelColumn is null ? (DataViewSchema.Column?)null : data.Schema[labelColumn];
        var ids = new List<long[]>();
        var features = new List<float[]>();
        var labels = new List<int>();
        using var cursor = data.GetRowCursor(label is { } l ? [feature, l] : [feature]);
        var labelGetter = label is { } labelCol ? cursor.GetGetter<uint>(labelCol) : null;
        var reader = SequenceReader.Create(cursor, feature, featureSize, maxLength);
        uint key = 0;
        while (cursor.MoveNext())
        {
            if (featureSize > 0) features.Add(reader.ReadFeatures());
            else ids.Add(reader.ReadIds());
            if (labelGetter is null)
            {
                labels.Add(-1);
                continue;
            }
            labelGetter(ref key);
            if (key == 0)
            {
                throw new InvalidOperationException(
                    $"Row {cursor.Position}: label column '{labelColumn}' is missing (empty, or a value the label keys were not learned from).");
            }
            labels.Add((int)key - 1);
        }
        truncated = reader.Truncated;
        return new Examples(featureSize > 0 ? null : ids.ToArray(), featureSize > 0 ? features.ToArray() : null, featureSize, labels.ToArray());
    }

    /// <summary>
    /// Reads a view's feature column and a regression's targets from <paramref name="scoreColumn"/> (Single):
    /// a missing (NaN) or infinite score is refused naming the row, as a missing label is.
    /// </summary>
    public static Examples ReadScores(IDataView data, string featureColumn, int featureSize, string scoreColumn, int maxLength, out int truncated)
    {
        var unlabeled = Read(data, featureColumn, featureSize, null, maxLength, out truncated);
        var scores = new float[unlabeled.Count];
        using var cursor = data.GetRowCursor([data.Schema[scoreColumn]]);
        var getter = cursor.GetGetter<float>(data.Schema[scoreColumn]);
        for (int row = 0; cursor.MoveNext(); row++)
        {
            getter(ref scores[row]);
            if (!float.IsFinite(scores[row]))
            {
                throw new InvalidOperationException($"Row {cursor.Position}: label column '{scoreColumn}' holds {scores[row]}; a regression's targets must be numbers (a missing value reads as NaN).");
            }
        }
        return new Examples(unlabeled.Ids, unlabeled.Features, featureSize, unlabeled.Labels, scores, 1);
    }

    /// <summary>
    /// Reads a view's feature column and a multi-label model's label sets from <paramref name="labelColumn"/>, a
    /// vector of keys (any length; empty: none of the labels applies), as 1 or 0 per label. A missing key (a
    /// value the keys were not learned from) is refused naming the row.
    /// </summary>
    public static Examples ReadLabelSets(IDataView data, string featureColumn, int featureSize, string labelColumn, int labels, int maxLength, out int truncated)
    {
        var unlabeled = Read(data, featureColumn, featureSize, null, maxLength, out truncated);
        var targets = new float[(long)unlabeled.Count * labels];
        using var cursor = data.GetRowCursor([data.Schema[labelColumn]]);
        var getter = cursor.GetGetter<VBuffer<uint>>(data.Schema[labelColumn]);
        VBuffer<uint> keys = default;
        for (int row = 0; cursor.MoveNext(); row++)
        {
            getter(ref keys);
            foreach (uint key in keys.DenseValues())
            {
                if (key == 0 || key > labels)
                {
                    throw new InvalidOperationException($"Row {cursor.Position}: label column '{labelColumn}' holds a label the keys were not learned from (key {key}).");
                }
                targets[(long)row * labels + key - 1] = 1;
            }
        }
        return new Examples(unlabeled.Ids, unlabeled.Features, featureSize, unlabeled.Labels, targets, labels);
    }

    /// <summary>Sequences without labels, for scoring: token ids, or (featureSize &gt; 0) flattened feature steps.</summary>
    public static Examples Unlabeled(IReadOnlyList<object> sequences, int featureSize) => featureSize > 0
        ? new Examples(null, sequences.Cast<float[]>().ToArray(), featureSize, new int[sequences.Count])
        : new Examples(sequences.Cast<long[]>().ToArray(), null, 0, new int[sequences.Count]);

    public Examples Subset(IReadOnlyList<int> rows) => new(
        Ids is null ? null : rows.Select(r => Ids[r]).ToArray(),
        Features is null ? null : rows.Select(r => Features[r]).ToArray(),
        FeatureSize,
        rows.Select(r => Labels[r]).ToArray(),
        Targets is null ? null : rows.SelectMany(r => Targets.AsSpan(r * TargetWidth, TargetWidth).ToArray()).ToArray(),
        TargetWidth) { Windows = Windows };

    /// <summary>Pads the given rows into one batch, in the given order; with <see cref="Windows"/>, one batch row per window, grouped into the rows.</summary>
    public SequenceBatch Batch(IReadOnlyList<int> rows)
    {
        if (Windows is { } windows && Ids is not null)
        {
            var cut = new List<IReadOnlyList<long>>();
            var documents = new List<long>();
            for (int i = 0; i < rows.Count; i++)
            {
                foreach (var window in windows.Cut(Ids[rows[i]]))
                {
                    cut.Add(window);
                    documents.Add(i);
                }
            }
            return SequenceBatch.FromTokenIds(cut).WithDocuments(documents.ToArray(), rows.Count);
        }
        return Ids is not null
            ? SequenceBatch.FromTokenIds(rows.Select(r => (IReadOnlyList<long>)Ids[r]).ToList())
            : SequenceBatch.FromFlatFeatures(rows.Select(r => Features![r]).ToList(), FeatureSize);
    }

    public long[] LabelsOf(IReadOnlyList<int> rows) => rows.Select(r => (long)Labels[r]).ToArray();

    /// <summary>The targets of the given rows, row-major, as the network trains on them: a regression's standardized by <paramref name="scaling"/>.</summary>
    public float[] TargetsOf(IReadOnlyList<int> rows, TargetScaling scaling) =>
        rows.SelectMany(r => Targets!.AsSpan(r * TargetWidth, TargetWidth).ToArray()).Select(scaling.Standardize).ToArray();
}

/// <summary>
/// Reads one row's sequence from a cursor: token ids, or feature steps; checked and truncated to
/// the model's maximum length. Shared by training and prediction, so both refuse the same input.
/// </summary>
internal sealed class SequenceReader
{
    private readonly DataViewRow _row;
    private readonly string _column;
    private readonly int _featureSize;
    private readonly int _maxLength;
    private readonly ValueGetter<VBuffer<long>>? _ids;
    private readonly ValueGetter<VBuffer<float>>? _features;
    private VBuffer<long> _idBuffer;
    private VBuffer<float> _featureBuffer;

    private SequenceReader(DataViewRow row, DataViewSchema.Column column, int featureSize, int maxLength)
    {
        _row = row;
        _column = column.Name;
        _featureSize = featureSize;
        _maxLength = maxLength;
        if (featureSize > 0) _features = row.GetGetter<VBuffer<float>>(column);
        else _ids = row.GetGetter<VBuffer<long>>(column);
    }

    public static SequenceReader Create(DataViewRow row, DataViewSchema.Column column, int featureSize, int maxLength) =>
        new(row, column, featureSize, maxLength);

    /// <summary>Rows read so far that were longer than the maximum length and cut to it.</summary>
    public int Truncated { get; private set; }

    public long[] ReadIds()
    {
        _ids!(ref _idBuffer);
        if (_idBuffer.Length == 0)
        {
            throw new InvalidOperationException($"Row {_row.Position}: column '{_column}' holds no token ids.");
        }
        int length = _maxLength > 0 ? Math.Min(_maxLength, _idBuffer.Length) : _idBuffer.Length;
        if (length < _idBuffer.Length) Truncated++;
        var ids = new long[length];
        if (_idBuffer.IsDense) _idBuffer.GetValues().Slice(0, length).CopyTo(ids);
        else _idBuffer.DenseValues().Take(length).ToArray().CopyTo(ids, 0);
        return ids;
    }

    public float[] ReadFeatures()
    {
        _features!(ref _featureBuffer);
        int length = _featureBuffer.Length;
        if (length == 0 || length % _featureSize != 0)
        {
            throw new InvalidOperationException(
                $"Row {_row.Position}: column '{_column}' holds {length} values, which is not a positive multiple of FeatureSize {_featureSize} (steps x features).");
        }
        int steps = length / _featureSize;
        int kept = (_maxLength > 0 ? Math.Min(_maxLength, steps) : steps) * _featureSize;
        if (kept < length) Truncated++;
        var values = new float[kept];
        if (_featureBuffer.IsDense) _featureBuffer.GetValues().Slice(0, kept).CopyTo(values);
        else _featureBuffer.DenseValues().Take(kept).ToArray().CopyTo(values, 0);
        for (int i = 0; i < kept; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new InvalidOperationException($"Row {_row.Position}: column '{_column}' holds {values[i]} at step {i / _featureSize}, feature {i % _featureSize}; features must be finite.");
            }
        }
        return values;
    }
}

/// <summary>Splits rows into batches for an epoch.</summary>
internal static class BatchPlanner
{
    /// <summary>
    /// Padded tokens (rows x the longest row) one batch may hold, in training and prediction: a
    /// batch over it is split, longest rows first, so that one very long text cannot multiply the
    /// memory of a whole batch (a 100,000-token review among 31 others once took 4 GB). Ordinary
    /// batches are far below it (IMDB: 32 x ~2,500). Training: <see cref="SequenceClassificationOptions.MaximumBatchTokens"/>.
    /// </summary>
    public const int DefaultTokenBudget = 262_144;

    // Rows of similar length share a batch, so little work is spent on padding; sorting only
    // within shuffled chunks of this many batches keeps the epoch's order random.
    private const int BatchesPerBucketChunk = 50;

    public static List<int[]> Plan(Examples examples, int batchSize, Random random, bool bucketByLength, int tokenBudget = DefaultTokenBudget)
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
                batches.AddRange(WithinTokenBudget(piece[b..Math.Min(b + batchSize, piece.Length)], examples.LengthOf, tokenBudget));
            }
        }
        if (bucketByLength)
        {
            random.Shuffle(CollectionsMarshal.AsSpan(batches));
        }
        return batches;
    }

    /// <summary>Consecutive rows in length order (for prediction, where order does not matter to the result).</summary>
    public static List<int[]> InLengthOrder(Examples examples, int batchSize, int tokenBudget)
    {
        var order = Enumerable.Range(0, examples.Count).OrderBy(examples.LengthOf).ToArray();
        return order.Chunk(batchSize).SelectMany(rows => WithinTokenBudget(rows, examples.LengthOf, tokenBudget)).ToList();
    }

    /// <summary>
    /// The batch itself when rows x its longest row is within the budget; otherwise its rows longest
    /// first, cut so that each piece is (a row longer than the budget goes alone).
    /// </summary>
    public static IEnumerable<int[]> WithinTokenBudget(int[] batch, Func<int, int> lengthOf, int budget)
    {
        if ((long)batch.Length * batch.Max(lengthOf) <= budget)
        {
            yield return batch;
            yield break;
        }
        var longestFirst = batch.OrderByDescending(lengthOf).ToArray();
        for (int start = 0; start < longestFirst.Length;)
        {
            int count = (int)Math.Clamp(budget / lengthOf(longestFirst[start]), 1, longestFirst.Length - start);
            yield return longestFirst[start..(start + count)];
            start += count;
        }
    }
}
