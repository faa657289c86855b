namespace SeqClassify.MLNet.Training;

/// <summary>
/// How a text longer than the model's positions is read (<see cref="SequenceClassificationOptions.WindowStride"/>): in
/// windows of <paramref name="Length"/> ids starting every <paramref name="Stride"/> ids, the last one ending at the
/// text's end, whose outputs the network pools (SequenceModelOptions.WindowPooling) into the text's. With
/// <paramref name="KeepEnds"/> (a pretrained tokenizer's ids: [CLS] first, [SEP] last) each window keeps the text's
/// first and last id around its slice of the rest, as every window of BERT's positions needs them.
/// </summary>
internal sealed record Windows(int Length, int Stride, bool KeepEnds)
{
    private int Body => KeepEnds ? Length - 2 : Length;

    /// <summary>The windows of one text, in order; a text that fits is its own one window.</summary>
    public IEnumerable<long[]> Cut(long[] ids)
    {
        if (ids.Length <= Length)
        {
            yield return ids;
            yield break;
        }
        int offset = KeepEnds ? 1 : 0, body = ids.Length - 2 * offset;
        for (int start = 0; ; start += Stride)
        {
            int from = Math.Min(start, body - Body);
            var window = new long[Length];
            if (KeepEnds)
            {
                window[0] = ids[0];
                window[^1] = ids[^1];
            }
            Array.Copy(ids, offset + from, window, offset, Body);
            yield return window;
            if (from + Body >= body) yield break;
        }
    }

    /// <summary>How many windows a text of <paramref name="length"/> ids becomes.</summary>
    public int Count(int length)
    {
        if (length <= Length) return 1;
        int body = length - (KeepEnds ? 2 : 0);
        return (body - Body + Stride - 1) / Stride + 1;
    }
}
