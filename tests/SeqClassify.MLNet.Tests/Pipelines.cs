namespace SeqClassify.MLNet.Tests;

/// <summary>The text pipeline the tests fit: labels → keys, basic_english tokens → ids → RNN → label names.</summary>
internal static class Pipelines
{
    public static EstimatorChain<Microsoft.ML.Transforms.KeyToValueMappingTransformer> Text(MLContext ml, SequenceClassificationOptions? trainer = null, int minimumFrequency = 1) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: minimumFrequency))
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(trainer ?? Small()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    /// <summary>A small, quick model for tests that check plumbing rather than accuracy (no pretrained vectors: nothing to fetch).</summary>
    public static SequenceClassificationOptions Small(int epochs = 2) => new()
    {
        PretrainedEmbeddings = PretrainedModelKind.None, EmbeddingDimension = 16, HiddenSize = 16, Epochs = epochs, BatchSize = 16, LearningRate = 0.01, Bidirectional = false,
    };

    public static IDataView Sentences(MLContext ml) => ml.Data.LoadFromEnumerable(SentenceRows);

    public static readonly LabeledText[] SentenceRows =
    [
        new() { Label = "pos", Text = "a wonderful , warm film" },
        new() { Label = "neg", Text = "a dull and tedious film" },
        new() { Label = "pos", Text = "great acting and a lovely story" },
        new() { Label = "neg", Text = "awful acting and a boring story" },
        new() { Label = "pos", Text = "i loved it" },
        new() { Label = "neg", Text = "i hated it" },
        new() { Label = "pos", Text = "brilliant !" },
        new() { Label = "neg", Text = "terrible ." },
    ];

    /// <summary>SMS Spam Collection (tab-separated: label, text; no header).</summary>
    public static IDataView SmsSpam(MLContext ml) =>
        ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false);

    /// <summary>The shape of a schema, as an estimator's GetOutputSchema takes it (ML.NET keeps SchemaShape.Create internal).</summary>
    public static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, [schema])!;

    /// <summary>The classifier step of a fitted pipeline.</summary>
    public static SequenceClassificationTransformer Classifier(this ITransformer model) =>
        ((IEnumerable<ITransformer>)model).OfType<SequenceClassificationTransformer>().Single();
}
