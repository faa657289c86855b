using SeqClassify.MLNet;
using SeqClassify.MLNet.Conversion;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;

namespace SeqClassify.Cli;

/// <summary>The text pipeline `seqclassify train` fits: the same one a C# user would write.</summary>
internal static class CliPipeline
{
    public sealed record Settings(TokenizerRule Tokenizer, int MinimumFrequency, int MaximumLength, bool UnescapePennTreebank);

    /// <summary>The whole pipeline: featurization, the RNN trainer, predicted keys back to label names.</summary>
    public static EstimatorChain<KeyToValueMappingTransformer> Build(MLContext ml, Settings settings, RnnTrainerOptions trainer) =>
        Featurize(ml, settings)
            .Append(ml.SequenceClassification.Trainers.Rnn(trainer))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    /// <summary>Labels to keys, text to token ids.</summary>
    public static EstimatorChain<TokenToIdMappingTransformer> Featurize(MLContext ml, Settings settings) =>
        ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: KeyOrdinality.ByValue)
            .Append(ml.Transforms.Text.NormalizeText(new TextNormalizingOptions
            {
                OutputColumnName = "Text",
                Case = TextNormalizingOptions.CaseMode.None,
                UnescapePennTreebank = settings.UnescapePennTreebank,
            }))
            .Append(ml.Transforms.Text.TokenizeIntoWords(new WordTokenizingOptions
            {
                OutputColumnName = "Tokens", InputColumnName = "Text", Rule = settings.Tokenizer,
                Separators = [' ', '\t', '\n', '\r'],
            }))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: settings.MinimumFrequency, maximumLength: settings.MaximumLength));
}
