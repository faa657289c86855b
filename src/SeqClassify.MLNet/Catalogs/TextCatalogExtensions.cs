using Microsoft.ML.Data;
using SeqClassify.MLNet.Text;

namespace Microsoft.ML;

/// <summary>
/// SeqClassify's text transforms on ML.NET's <c>mlContext.Transforms.Text</c> catalog. ML.NET's own
/// NormalizeText, TokenizeIntoWords (separators) and TokenizeIntoCharactersAsKeys do the rest.
/// </summary>
public static class SeqClassifyTextCatalogExtensions
{
    /// <summary>
    /// Learns a vocabulary from a token column (&lt;pad&gt; = 0, &lt;unk&gt; = 1, then by frequency) and
    /// maps tokens to a variable-length Vector&lt;Int64&gt; of ids, with each row's length.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The ids column.</param>
    /// <param name="inputColumnName">The tokens column (a vector of Text).</param>
    /// <param name="lengthColumnName">A column of each row's number of ids (Int32); null for none.</param>
    /// <param name="minimumFrequency">A token enters the vocabulary when seen at least this often.</param>
    /// <param name="maximumSize">At most this many entries, &lt;pad&gt; and &lt;unk&gt; included; 0 = no limit.</param>
    /// <param name="lowerCase">Lower-case tokens before counting and lookup.</param>
    /// <param name="maximumLength">Truncate id sequences to this many; 0 = no limit.</param>
    /// <param name="truncation">Which ids a truncated sequence keeps.</param>
    public static TokenToIdMappingEstimator MapTokensToIds(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName = "Ids", string inputColumnName = "Tokens", string? lengthColumnName = "Length",
        int minimumFrequency = 1, int maximumSize = 0, bool lowerCase = false, int maximumLength = 0,
        TruncationPolicy truncation = TruncationPolicy.KeepHead) =>
        MapTokensToIds(catalog, new TokenToIdMappingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, LengthColumnName = lengthColumnName,
            MinimumFrequency = minimumFrequency, MaximumSize = maximumSize, LowerCase = lowerCase,
            MaximumLength = maximumLength, Truncation = truncation,
        });

    /// <summary>Learns a vocabulary with full options.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The options.</param>
    public static TokenToIdMappingEstimator MapTokensToIds(this TransformsCatalog.TextTransforms catalog, TokenToIdMappingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenToIdMappingEstimator(CatalogUtils.GetEnvironment(catalog), options);
    }

    /// <summary>
    /// Splits a Text column into a vector of Text tokens by a SeqClassify rule: torchtext's
    /// basic_english, or a regular expression's matches. (ML.NET's own overload splits on separators.)
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The tokens column.</param>
    /// <param name="inputColumnName">The Text column; the output column's name when null.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="pattern">The token pattern of <see cref="TokenizerRule.Regex"/>, e.g. <c>\w+|[^\w\s]</c>.</param>
    public static TokenizingEstimator TokenizeIntoWords(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string? inputColumnName, TokenizerRule rule, string? pattern = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenizingEstimator(CatalogUtils.GetEnvironment(catalog), outputColumnName, inputColumnName, rule, pattern);
    }

    /// <summary>
    /// Text to a pretrained Hugging Face BERT folder's token ids ([CLS] WordPiece pieces [SEP], at most
    /// <paramref name="maximumLength"/>), with the folder's vocab.txt and tokenizer_config.json; the
    /// model file keeps them. Pair it with the trainer's <c>PretrainedModel</c> set to the same folder.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="folder">The Hugging Face model folder.</param>
    /// <param name="outputColumnName">The ids column.</param>
    /// <param name="inputColumnName">The text column.</param>
    /// <param name="maximumLength">The most ids per text, [CLS] and [SEP] included; at most the model's positions (config.json's
    /// max_position_embeddings). 0: Hugging Face's usual 128, or the model's positions where it has fewer.</param>
    /// <param name="pairColumnName">A second text column: each row becomes a sentence pair, [CLS] text [SEP] pair [SEP], whose
    /// segments a BERT encoder tells apart by token type (as ML.NET's TextClassification's sentence2ColumnName).</param>
    /// <param name="truncation">Which pieces a longer single text keeps: its first (Hugging Face's), its last, or both ends.</param>
    /// <param name="headLength">With KeepHeadAndTail, the first pieces kept (0: a quarter of the room), the rest from the end.</param>
    public static PretrainedTokenizingEstimator TokenizeForPretrained(this TransformsCatalog.TextTransforms catalog, string folder,
        string outputColumnName = "Ids", string inputColumnName = "Text", int maximumLength = 0, string? pairColumnName = null,
        TruncationPolicy truncation = TruncationPolicy.KeepHead, int headLength = 0) =>
        new(CatalogUtils.GetEnvironment(catalog), outputColumnName, inputColumnName, PretrainedTokenizer.Load(folder, maximumLength, truncation, headLength), pairColumnName);

    /// <summary>
    /// Undoes Penn Treebank escapes (-lrb- → ( and the like, as SST-2's dev and test files write them).
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The unescaped Text column.</param>
    /// <param name="inputColumnName">The Text column; the output column's name when null.</param>
    public static PennTreebankUnescapingEstimator UnescapePennTreebank(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PennTreebankUnescapingEstimator(CatalogUtils.GetEnvironment(catalog), outputColumnName, inputColumnName);
    }
}
