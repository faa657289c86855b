using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using SeqClassify.MLNet.Text;

namespace SeqClassify.Cli;

/// <summary>
/// The featurization of the ML.NET pipeline `seqclassify train` fits (TrainCommand appends the sequence-classification
/// trainer and MapKeyToValue("PredictedLabel")): the same pipeline a C# user would write.
/// </summary>
internal static class CliPipeline
{
    /// <summary>How text becomes tokens: SeqClassify's basic_english, or ML.NET's own tokenizers.</summary>
    public enum Tokenizer { BasicEnglish, Whitespace, Characters }

    /// <param name="PretrainedModel">A Hugging Face folder whose own tokenizer makes the ids (then Tokenizer and MinimumFrequency do not apply).</param>
    /// <param name="Pairs">Rows are sentence pairs, Text and Pair (pretrained models only).</param>
    /// <param name="Truncation">Which tokens a text longer than MaximumLength keeps (--truncation).</param>
    /// <param name="HeadLength">With both ends kept and a pretrained model, the first pieces kept (--head-length; 0: a quarter).</param>
    public sealed record Settings(Tokenizer Tokenizer, int MinimumFrequency, int MaximumLength, bool UnescapePennTreebank, string? PretrainedModel = null,
        bool Pairs = false, TruncationPolicy Truncation = TruncationPolicy.KeepHead, int HeadLength = 0);

    /// <summary>The most ids a text keeps with a pretrained model when --max-length is not given (Hugging Face's usual 128).</summary>
    public const int DefaultPretrainedLength = 128;

    /// <summary>
    /// The most ids a text keeps with a pretrained folder: --max-length (<paramref name="given"/>; 0 when
    /// not given) checked against the folder's positions and, for sentence pairs, room for [CLS] and two
    /// [SEP]; when not given, <see cref="DefaultPretrainedLength"/> cut to the positions, which
    /// <paramref name="notes"/> is told. (Past the positions the engine cut the ids silently: a pair lost its second text.)
    /// </summary>
    public static int PretrainedLength(string folder, int given, bool pairs, TextWriter notes)
    {
        int least = pairs ? 3 : 2;
        if (given > 0 && given < least)
        {
            throw new UsageException($"--max-length must be at least {least} ({(pairs ? "[CLS] and two [SEP] of a sentence pair" : "[CLS] and [SEP]")}), got {given}");
        }
        int? positions = SeqClassify.Torch.Pretrained.PretrainedFolder.Sizes(folder)?.Positions;
        if (given > 0)
        {
            return positions is { } most && given > most
                ? throw new UsageException($"--max-length {given} is more than the {most} positions of '{folder}' (max_position_embeddings in its config.json); give at most {most}")
                : given;
        }
        if (positions is { } limit && limit < DefaultPretrainedLength)
        {
            notes.WriteLine($"note: texts are cut to {limit} ids, the positions of '{folder}' (--max-length defaults to {DefaultPretrainedLength})");
            return limit;
        }
        return DefaultPretrainedLength;
    }

    /// <summary>Labels to keys (by value, so that their order does not depend on the file's), text to token ids.</summary>
    /// (A chain of ITransformer, fitted to a TransformerChain, so that the classifier appended to it joins
    /// the same flat list of steps, as the model file and `info` show them.)
    /// <param name="ml">The context.</param>
    /// <param name="settings">The featurization's settings.</param>
    /// <param name="labels">How labels become keys; by default by value (import maps them in its classifier's order).</param>
    public static EstimatorChain<ITransformer> Featurize(MLContext ml, Settings settings, IEstimator<ITransformer>? labels = null)
    {
        var chain = new EstimatorChain<ITransformer>().Append(
            labels ?? ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue));
        string text = "Text";
        string? pair = settings.Pairs ? "Pair" : null;
        if (settings.UnescapePennTreebank)
        {
            chain = chain.Append<ITransformer>(ml.Transforms.Text.UnescapePennTreebank("UnescapedText", text));
            text = "UnescapedText";
            if (pair is not null)
            {
                chain = chain.Append<ITransformer>(ml.Transforms.Text.UnescapePennTreebank("UnescapedPair", pair));
                pair = "UnescapedPair";
            }
        }
        if (settings.PretrainedModel is { } folder)
        {
            return chain.Append<ITransformer>(ml.Transforms.Text.TokenizeForPretrained(folder, "Ids", text,
                settings.MaximumLength > 0 ? settings.MaximumLength : DefaultPretrainedLength, pair, settings.Truncation, settings.HeadLength));
        }
        chain = settings.Tokenizer switch
        {
            Tokenizer.Whitespace => chain.Append<ITransformer>(ml.Transforms.Text.TokenizeIntoWords("Tokens", text, [' ', '\t', '\n', '\r'])),
            // ML.NET's character tokenizer gives keys; its KeyToValue gives the characters back as text tokens.
            Tokenizer.Characters => chain.Append<ITransformer>(ml.Transforms.Text.TokenizeIntoCharactersAsKeys("CharacterKeys", text, useMarkerCharacters: false))
                .Append<ITransformer>(ml.Transforms.Conversion.MapKeyToValue("Tokens", "CharacterKeys")),
            _ => chain.Append<ITransformer>(ml.Transforms.Text.TokenizeIntoWords("Tokens", text, TokenizerRule.BasicEnglish)),
        };
        return chain.Append<ITransformer>(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: settings.MinimumFrequency, maximumLength: settings.MaximumLength,
            truncation: settings.Truncation));
    }

    /// <summary>The rows the pretrained folder's tokenizer cuts to <paramref name="maximumLength"/> ids (pairs: longest first), as training will see them.</summary>
    public static int CountTruncated(IDataView data, Settings settings, string folder, int maximumLength)
    {
        var tokenizer = PretrainedTokenizer.Load(folder, maximumLength, settings.Truncation, settings.HeadLength);
        bool pairs = settings.Pairs;
        string Clean(string? text) => settings.UnescapePennTreebank ? PennTreebankUnescapingTransformer.Unescape(text ?? "") : text ?? "";
        var texts = data.GetColumn<string>("Text");
        var seconds = pairs ? data.GetColumn<string>("Pair") : texts.Select(_ => (string?)null);
        int truncated = 0;
        foreach (var (text, pair) in texts.Zip(seconds))
        {
            bool cut = false;
            if (pair is null) tokenizer.Encode(Clean(text), out cut);
            else tokenizer.Encode(Clean(text), Clean(pair), out cut);
            if (cut) truncated++;
        }
        return truncated;
    }
}
