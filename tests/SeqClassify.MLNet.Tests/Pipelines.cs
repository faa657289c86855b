using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Tests;

/// <summary>The text pipeline the tests fit: labels → keys, basic_english tokens → ids → RNN → label names.</summary>
internal static class Pipelines
{
    public static EstimatorChain<Conversion.KeyToValueMappingTransformer> Text(MLContext ml, RnnTrainerOptions? trainer = null, int minimumFrequency = 1) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: minimumFrequency))
            .Append(ml.SequenceClassification.Trainers.Rnn(trainer ?? Small()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    /// <summary>A small, quick model for tests that check plumbing rather than accuracy (no pretrained vectors: nothing to fetch).</summary>
    public static RnnTrainerOptions Small(int epochs = 2) => new()
    {
        PretrainedEmbeddings = PretrainedModelKind.None, EmbeddingDimension = 16, HiddenSize = 16, Epochs = epochs, BatchSize = 16, LearningRate = 0.01, Bidirectional = false,
    };

    public static IDataView Sentences(MLContext ml) => ml.Data.LoadFromEnumerable(new[]
    {
        new LabeledText { Label = "pos", Text = "a wonderful , warm film" },
        new LabeledText { Label = "neg", Text = "a dull and tedious film" },
        new LabeledText { Label = "pos", Text = "great acting and a lovely story" },
        new LabeledText { Label = "neg", Text = "awful acting and a boring story" },
        new LabeledText { Label = "pos", Text = "i loved it" },
        new LabeledText { Label = "neg", Text = "i hated it" },
        new LabeledText { Label = "pos", Text = "brilliant !" },
        new LabeledText { Label = "neg", Text = "terrible ." },
    });
}
