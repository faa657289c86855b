using System.Text;

namespace SeqClassify.MLNet.Text;

/// <summary>Text featurization transforms (ML.NET's TextCatalog).</summary>
public sealed class TextCatalog
{
    internal TextCatalog(MLContext context) => Context = context;

    internal MLContext Context { get; }

    /// <summary>Normalizes text: Unicode form, case, diacritics, punctuation, digits.</summary>
    public TrivialEstimator<TextNormalizingTransformer> NormalizeText(string outputColumnName, string? inputColumnName = null,
        TextNormalizingOptions.CaseMode caseMode = TextNormalizingOptions.CaseMode.Lower, bool keepDiacritics = true,
        bool keepPunctuations = true, bool keepNumbers = true, NormalizationForm form = NormalizationForm.FormC) =>
        NormalizeText(new TextNormalizingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Case = caseMode,
            KeepDiacritics = keepDiacritics, KeepPunctuations = keepPunctuations, KeepNumbers = keepNumbers, Form = form,
        });

    /// <summary>Normalizes text with full options.</summary>
    public TrivialEstimator<TextNormalizingTransformer> NormalizeText(TextNormalizingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(new TextNormalizingTransformer(options));
    }

    /// <summary>Splits text into word tokens: on separators (space by default), or by a rule.</summary>
    public TrivialEstimator<WordTokenizingTransformer> TokenizeIntoWords(string outputColumnName, string? inputColumnName = null,
        TokenizerRule rule = TokenizerRule.Separators, char[]? separators = null, string? pattern = null) =>
        TokenizeIntoWords(new WordTokenizingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Rule = rule,
            Separators = separators ?? [' '], Pattern = pattern,
        });

    /// <summary>Splits text into tokens with full options.</summary>
    public TrivialEstimator<WordTokenizingTransformer> TokenizeIntoWords(WordTokenizingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(new WordTokenizingTransformer(options));
    }

    /// <summary>Splits text into characters (Unicode runes), one token each.</summary>
    public TrivialEstimator<WordTokenizingTransformer> TokenizeIntoCharacters(string outputColumnName, string? inputColumnName = null) =>
        TokenizeIntoWords(new WordTokenizingOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Rule = TokenizerRule.Characters });

    /// <summary>
    /// Learns a vocabulary (&lt;pad&gt; = 0, &lt;unk&gt; = 1) and maps tokens to ids, with each row's length.
    /// </summary>
    public TokenToIdMappingEstimator MapTokensToIds(string outputColumnName = "Ids", string inputColumnName = "Tokens",
        string? lengthColumnName = "Length", int minimumFrequency = 1, int maximumSize = 0, bool lowerCase = false,
        int maximumLength = 0, TruncationPolicy truncation = TruncationPolicy.KeepHead) =>
        MapTokensToIds(new VocabularyOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, LengthColumnName = lengthColumnName,
            MinimumFrequency = minimumFrequency, MaximumSize = maximumSize, LowerCase = lowerCase,
            MaximumLength = maximumLength, Truncation = truncation,
        });

    /// <summary>Learns a vocabulary with full options.</summary>
    public TokenToIdMappingEstimator MapTokensToIds(VocabularyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TokenToIdMappingEstimator.Validate(options);
        return new TokenToIdMappingEstimator(options);
    }
}
