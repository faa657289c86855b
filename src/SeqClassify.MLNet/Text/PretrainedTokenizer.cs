using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace SeqClassify.MLNet.Text;

/// <summary>
/// The tokenizer of a pretrained Hugging Face BERT folder: vocab.txt with tokenizer_config.json's
/// do_lower_case, strip_accents (by default as do_lower_case, as Hugging Face does) and
/// tokenize_chinese_chars: BERT's basic tokenization (<see cref="BertBasicTokenization"/>), then
/// Microsoft.ML.Tokenizers' BertTokenizer for the WordPiece pieces and the special tokens. A text becomes [CLS] its pieces [SEP], cut to
/// <see cref="MaxLength"/> by <see cref="Truncation"/>: by default its first pieces are kept (the [SEP] kept after them), as Hugging Face's
/// truncation does for one sequence; or its last ones; or its first <see cref="HeadLength"/> and its last, which keeps what a long review or
/// ticket says at its end (Sun et al. 2019, "How to Fine-Tune BERT for Text Classification?": the first 128 and last 382 of IMDB's reviews).
/// </summary>
public sealed class PretrainedTokenizer
{
    private readonly BertTokenizer _tokenizer;

    private PretrainedTokenizer(string vocabulary, bool lowerCase, bool stripAccents, bool splitCjk, int maxLength,
        TruncationPolicy truncation = TruncationPolicy.KeepHead, int headLength = 0)
    {
        if (!Enum.IsDefined(truncation)) throw new ArgumentOutOfRangeException(nameof(truncation), truncation, "truncation must be a TruncationPolicy.");
        if (headLength < 0 || (headLength > 0 && truncation != TruncationPolicy.KeepHeadAndTail) || headLength > Math.Max(maxLength - 3, 0))
        {
            throw new ArgumentOutOfRangeException(nameof(headLength), headLength,
                $"headLength is KeepHeadAndTail's head: 0 (a quarter of the pieces) or at most {Math.Max(maxLength - 3, 0)}, leaving room for [CLS], [SEP] and a tail; got {headLength}.");
        }
        Vocabulary = vocabulary;
        LowerCase = lowerCase;
        StripAccents = stripAccents;
        SplitCjk = splitCjk;
        MaxLength = maxLength;
        Truncation = truncation;
        HeadLength = headLength;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(vocabulary));
        // The words come split, cased and stripped already: BertTokenizer splits on spaces only.
        _tokenizer = BertTokenizer.Create(stream, new BertOptions
        {
            ApplyBasicTokenization = false, LowerCaseBeforeTokenization = false, RemoveNonSpacingMarks = false, IndividuallyTokenizeCjk = false,
        });
    }

    /// <summary>vocab.txt's text: the model file keeps it, so that prediction needs no folder.</summary>
    public string Vocabulary { get; }

    /// <summary>Lower-case before tokenization (do_lower_case).</summary>
    public bool LowerCase { get; }

    /// <summary>Remove accents (strip_accents).</summary>
    public bool StripAccents { get; }

    /// <summary>Put spaces around CJK ideographs (tokenize_chinese_chars).</summary>
    public bool SplitCjk { get; }

    /// <summary>The most ids a text becomes, [CLS] and [SEP] included.</summary>
    public int MaxLength { get; }

    /// <summary>Which pieces a longer single text keeps (a sentence pair drops from the longer text's end, as Hugging Face's longest_first).</summary>
    public TruncationPolicy Truncation { get; }

    /// <summary>With <see cref="TruncationPolicy.KeepHeadAndTail"/>: the first pieces kept, the rest from the end; 0: a quarter of the room (Sun et al.'s 128 of 510).</summary>
    public int HeadLength { get; }

    /// <summary>The most ids a text keeps when not told: Hugging Face's usual 128 (or the model's positions, where fewer).</summary>
    public const int DefaultMaxLength = 128;

    /// <summary>
    /// Reads vocab.txt and tokenizer_config.json (optional) of a folder; <paramref name="maxLength"/> at
    /// least 2 (0: <see cref="DefaultMaxLength"/>, or the model's positions where fewer) and at most the model's positions (config.json's max_position_embeddings, where the folder
    /// has one). A vocabulary that is not UTF-8, names a token twice or has more tokens than the model's
    /// vocab_size is refused: each would be accepted here and fail every prediction later.
    /// </summary>
    public static PretrainedTokenizer Load(string folder, int maxLength) => Load(folder, maxLength, TruncationPolicy.KeepHead, 0);

    /// <summary>As <see cref="Load(string, int)"/>, cutting a longer text by <paramref name="truncation"/> (<paramref name="headLength"/>: see <see cref="HeadLength"/>).</summary>
    public static PretrainedTokenizer Load(string folder, int maxLength, TruncationPolicy truncation, int headLength)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"pretrained model folder '{folder}' does not exist");
        var sizes = SeqClassify.Torch.Pretrained.PretrainedFolder.Sizes(folder);
        if (maxLength == 0) maxLength = Math.Min(DefaultMaxLength, sizes?.Positions ?? DefaultMaxLength);
        if (maxLength < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must hold at least [CLS] and [SEP] (2).");
        if (sizes is { } model && maxLength > model.Positions)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength,
                $"maxLength {maxLength} is more than the {model.Positions} positions of '{folder}' (max_position_embeddings in config.json): " +
                $"ids past them would have no position; give at most {model.Positions}.");
        }
        string vocabPath = Path.Combine(folder, "vocab.txt");
        if (!File.Exists(vocabPath)) throw new FileNotFoundException($"'{folder}' has no vocab.txt: the engine reads WordPiece (BERT) tokenizers", vocabPath);
        string vocabulary = ReadVocabulary(vocabPath, sizes?.Vocabulary);
        bool lowerCase = true, splitCjk = true;
        bool? stripAccents = null;
        string configPath = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(configPath))
        {
            try
            {
                using var config = JsonDocument.Parse(File.ReadAllText(configPath));
                var root = config.RootElement;
                if (root.TryGetProperty("do_lower_case", out var lower)) lowerCase = lower.GetBoolean();
                if (root.TryGetProperty("strip_accents", out var strip) && strip.ValueKind != JsonValueKind.Null) stripAccents = strip.GetBoolean();
                if (root.TryGetProperty("tokenize_chinese_chars", out var cjk)) splitCjk = cjk.GetBoolean();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new InvalidDataException($"'{configPath}' cannot be read: {e.Message}");
            }
        }
        return new PretrainedTokenizer(vocabulary, lowerCase, stripAccents ?? lowerCase, splitCjk, maxLength, truncation, headLength);
    }

    private static string ReadVocabulary(string path, int? modelVocabulary)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new InvalidDataException($"'{path}' is not UTF-8 text (an invalid byte at offset {e.Index}); a WordPiece vocabulary is one UTF-8 token a line.");
        }
        var lines = text.Split('\n');
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string token = lines[i].TrimEnd('\r');
            if (!seen.TryAdd(token, i + 1))
            {
                throw new InvalidDataException($"'{path}' line {i + 1}: the token '{token}' is also on line {seen[token]}; each token has one id.");
            }
        }
        if (modelVocabulary is { } size && count > size)
        {
            throw new InvalidDataException($"'{path}' has {count:N0} tokens, more than the model's vocab_size {size:N0} (config.json): " +
                                           $"the ids from {size:N0} on have no embedding.");
        }
        return text;
    }

    /// <summary>The same tokenizer from what a model file kept.</summary>
    public static PretrainedTokenizer FromSaved(string vocabulary, bool lowerCase, bool stripAccents, bool splitCjk, int maxLength,
        TruncationPolicy truncation = TruncationPolicy.KeepHead, int headLength = 0) =>
        new(vocabulary, lowerCase, stripAccents, splitCjk, maxLength, truncation, headLength);

    /// <summary>
    /// The ids of a sentence pair, [CLS] a's pieces [SEP] b's pieces [SEP], as BERT's tokenizers encode
    /// pairs (the engine types a pair's segments from its first [SEP]); over <see cref="MaxLength"/>, the
    /// longer text loses its last piece until they fit (Hugging Face's longest_first; b when as long as a).
    /// </summary>
    public long[] Encode(string text, string pair, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(pair);
        if (MaxLength < 3) throw new InvalidOperationException($"a pair needs room for [CLS] and two [SEP]; this tokenizer keeps {MaxLength} ids.");
        var a = Pieces(text);
        var b = Pieces(pair);
        int budget = MaxLength - 3, aLength = a.Count, bLength = b.Count;
        truncated = aLength + bLength > budget;
        while (aLength + bLength > budget)
        {
            if (aLength > bLength) aLength--;
            else bLength--;
        }
        return Join(a, aLength, b, bLength);
    }

    // [CLS], a's first aLength pieces, [SEP], and (b not null) b's first bLength pieces and [SEP].
    private long[] Join(IReadOnlyList<int> a, int aLength, IReadOnlyList<int>? b, int bLength)
    {
        var result = new long[aLength + 2 + (b is null ? 0 : bLength + 1)];
        result[0] = _tokenizer.ClassificationTokenId;
        for (int i = 0; i < aLength; i++) result[1 + i] = a[i];
        result[1 + aLength] = _tokenizer.SeparatorTokenId;
        if (b is null) return result;
        for (int i = 0; i < bLength; i++) result[2 + aLength + i] = b[i];
        result[^1] = _tokenizer.SeparatorTokenId;
        return result;
    }

    private IReadOnlyList<int> Pieces(string text) =>
        _tokenizer.EncodeToIds(BertBasicTokenization.Apply(text, LowerCase, StripAccents, SplitCjk), addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);

    /// <summary>The ids of a text: [CLS] pieces [SEP]; <paramref name="truncated"/> says whether pieces were dropped.</summary>
    public long[] Encode(string text, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = Pieces(text);
        int room = MaxLength - 2;
        truncated = pieces.Count > room;
        if (Truncation == TruncationPolicy.KeepAll)
        {
            // Every piece, for a model that reads the text in windows of its positions.
            truncated = false;
            return Join(pieces, pieces.Count, null, 0);
        }
        if (!truncated || Truncation == TruncationPolicy.KeepHead) return Join(pieces, Math.Min(pieces.Count, room), null, 0);
        int head = Truncation == TruncationPolicy.KeepTail ? 0 : HeadLength > 0 ? HeadLength : room / 4;
        var kept = pieces.Take(head).Concat(pieces.Skip(pieces.Count - (room - head))).ToList();
        return Join(kept, kept.Count, null, 0);
    }
}
