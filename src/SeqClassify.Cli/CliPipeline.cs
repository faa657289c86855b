using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using SeqClassify.MLNet.Text;

namespace SeqClassify.Cli;

/// <summary>
/// The featurization of the ML.NET pipeline `seqclassify train` fits (TrainCommand appends the Rnn
/// trainer and MapKeyToValue("PredictedLabel")): the same pipeline a C# user would write.
/// </summary>
internal static class CliPipeline
{
    /// <summary>How text becomes tokens: SeqClassify's basic_english, or ML.NET's own tokenizers.</summary>
    public enum Tokenizer { BasicEnglish, Whitespace, Characters }

    public sealed record Settings(Tokenizer Tokenizer, int MinimumFrequency, int MaximumLength, bool UnescapePennTreebank);

    /// <summary>Labels to keys (by value, so that their order does not depend on the file's), text to token ids.</summary>
    public static EstimatorChain<TokenToIdMappingTransformer> Featurize(MLContext ml, Settings settings)
    {
        IEstimator<ITransformer> chain = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        string text = "Text";
        if (settings.UnescapePennTreebank)
        {
            chain = chain.Append(ml.Transforms.Text.UnescapePennTreebank("UnescapedText", text));
            text = "UnescapedText";
        }
        chain = settings.Tokenizer switch
        {
            Tokenizer.Whitespace => chain.Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", text, [' ', '\t', '\n', '\r'])),
            // ML.NET's character tokenizer gives keys; its KeyToValue gives the characters back as text tokens.
            Tokenizer.Characters => chain.Append(ml.Transforms.Text.TokenizeIntoCharactersAsKeys("CharacterKeys", text, useMarkerCharacters: false))
                .Append(ml.Transforms.Conversion.MapKeyToValue("Tokens", "CharacterKeys")),
            _ => chain.Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", text, TokenizerRule.BasicEnglish)),
        };
        return chain.Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: settings.MinimumFrequency, maximumLength: settings.MaximumLength));
    }
}
