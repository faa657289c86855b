using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.MLNet.Text;

/// <summary>Which tokens a too-long sequence keeps.</summary>
public enum TruncationPolicy
{
    /// <summary>The first MaximumLength tokens.</summary>
    KeepHead,
    /// <summary>The last MaximumLength tokens.</summary>
    KeepTail,
    /// <summary>Both ends: MapTokensToIds keeps the first half and the last half (the head gets the odd one); a pretrained tokenizer its HeadLength first pieces and the rest from the end.</summary>
    KeepHeadAndTail,
    /// <summary>Every token, whatever the maximum length: for a model that reads a long text in windows (SequenceClassificationOptions.WindowStride).</summary>
    KeepAll,
}

/// <summary>A token → id table (&lt;pad&gt; = 0, &lt;unk&gt; = 1), with the reverse view for debugging.</summary>
public sealed class Vocabulary
{
    /// <summary>The padding token, id 0.</summary>
    public const string Pad = "<pad>";
    /// <summary>The unknown token, id 1.</summary>
    public const string Unknown = "<unk>";

    private readonly Dictionary<string, long> _ids;

    /// <summary>Builds the table from tokens in id order; the first two must be &lt;pad&gt; and &lt;unk&gt;.</summary>
    public Vocabulary(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count < 2 || tokens[0] != Pad || tokens[1] != Unknown)
        {
            throw new ArgumentException("A vocabulary starts with <pad> and <unk>.", nameof(tokens));
        }
        Tokens = tokens;
        _ids = new Dictionary<string, long>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!_ids.TryAdd(tokens[i], i)) throw new ArgumentException($"Token '{tokens[i]}' appears twice in the vocabulary.", nameof(tokens));
        }
    }

    /// <summary>
    /// The vocabulary a token-id column carries (MapTokensToIds annotates its output with it), or null
    /// for a column without one.
    /// </summary>
    public static Vocabulary? Of(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(TokenToIdMappingTransformer.VocabularyAnnotationKind) is null)
        {
            return null;
        }
        VBuffer<ReadOnlyMemory<char>> tokens = default;
        column.Annotations.GetValue(TokenToIdMappingTransformer.VocabularyAnnotationKind, ref tokens);
        return new Vocabulary(tokens.DenseValues().Select(t => t.ToString()).ToArray());
    }

    /// <summary>Tokens by id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Number of entries including &lt;pad&gt; and &lt;unk&gt;.</summary>
    public int Count => Tokens.Count;

    /// <summary>The id of a token; 1 (&lt;unk&gt;) when unknown.</summary>
    public long IdOf(string token) => _ids.GetValueOrDefault(token, 1);

    /// <summary>The tokens of ids, for debugging (an id outside the table reads as &lt;?id&gt;).</summary>
    public string Decode(IEnumerable<long> ids) =>
        string.Join(' ', ids.Select(id => id >= 0 && id < Tokens.Count ? Tokens[(int)id] : $"<?{id}>"));

    /// <summary>
    /// Learns a vocabulary from token counts: tokens seen at least <paramref name="minimumFrequency"/>
    /// times, by descending count (ties in ordinal order), at most <paramref name="maximumSize"/>
    /// entries in all (0 = no limit).
    /// </summary>
    internal static Vocabulary Learn(IReadOnlyDictionary<string, long> counts, int minimumFrequency, int maximumSize)
    {
        var kept = counts.Where(kv => kv.Value >= minimumFrequency && kv.Key is not (Pad or Unknown))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key);
        if (maximumSize > 0)
        {
            kept = kept.Take(maximumSize - 2);
        }
        return new Vocabulary([Pad, Unknown, .. kept]);
    }
}
