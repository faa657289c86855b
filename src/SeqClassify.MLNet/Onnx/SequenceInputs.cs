namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// How a graph gets each row's steps and length from what it is given, and the truncation the
/// trained model applies before its network (the first <c>MaximumLength</c> steps, as
/// Training/Examples.cs's SequenceReader keeps them).
/// </summary>
internal static class SequenceInputs
{
    /// <summary>
    /// The lengths of right-padded token ids [B, T]: each row's last non-zero id, plus one (id 0 is
    /// &lt;pad&gt; in every SeqClassify vocabulary and [PAD] in BERT's). A row ML.NET passes alone is its
    /// whole width.
    /// </summary>
    public static string LengthsOfPaddedIds(OnnxGraph g, string ids)
    {
        string positions = g.Op("Range", g.Scalar(1L), g.Op("Add", g.Dimension(ids, 1), g.Scalar(1L)), g.Scalar(1L));
        string kept = g.Op("Where", g.Op("Not", g.Op("Equal", ids, g.Scalar(0L))), g.Unsqueeze(positions, 0), g.Scalar(0L));
        return g.Reduce("ReduceMax", kept, 1);
    }

    /// <summary>
    /// ML.NET's feature column [B, T·I] as steps [B, T, I], every row T steps long (ML.NET passes one
    /// row at a time; rows of different lengths go to the standalone network's lengths input).
    /// </summary>
    public static (string Steps, string Lengths) StepsOfFeatureVector(OnnxGraph g, string features, int featureSize)
    {
        string steps = g.Reshape(features, 0, -1, featureSize);
        string rows = g.Op("Slice", g.Op("Shape", steps), g.Longs("zero", [0], 1), g.Longs("one", [1], 1));
        return (steps, g.Op("Expand", g.Unsqueeze(g.Dimension(steps, 1), 0), rows));
    }

    /// <summary>The first <paramref name="maximumLength"/> steps of each row (0: all), and the lengths cut to match.</summary>
    public static (string Input, string Lengths) Truncate(OnnxGraph g, string input, string lengths, int maximumLength)
    {
        if (maximumLength <= 0) return (input, lengths);
        string kept = g.Op("Slice", input, g.Longs("zero", [0], 1), g.Longs("limit", [maximumLength], 1), g.Longs("axis1", [1], 1));
        return (kept, g.Op("Min", lengths, g.Scalar((long)maximumLength)));
    }
}
