// Spam or not (../shared/datasets/sms_spam), two ways beyond the default RNN: a Transformer encoder
// (the PyTorch tutorials' nn.TransformerEncoder, learned from scratch), and a GRU pooled by learned
// attention, whose weights say which words a prediction rested on (the AttentionWeights column).
// Run: dotnet run -c Release --project examples/TransformerAttention
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

string path = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/datasets/sms_spam/SMSSpamCollection");
var ml = new MLContext(seed: 1);
var all = ml.Data.LoadFromTextFile<Message>(path, separatorChar: '\t', allowQuoting: false);
var split = ml.Data.StratifiedTrainTestSplit(all, testFraction: 0.2, labelColumnName: "Label");

var transformer = new SequenceClassificationOptions
{
    Encoder = SequenceEncoder.Transformer, NumLayers = 2, HiddenSize = 64, EmbeddingDimension = 64, Heads = 4, FeedForwardSize = 128,
    MaxPositions = 128, Pooling = SequencePooling.Mean, PretrainedEmbeddings = PretrainedModelKind.None, Epochs = 4,
};
var attentionGru = new SequenceClassificationOptions { Pooling = SequencePooling.Attention, PretrainedEmbeddings = PretrainedModelKind.None, Epochs = 4 };

foreach (var (name, options) in new[] { ("Transformer", transformer), ("GRU + attention pooling", attentionGru) })
{
    var model = Pipeline(options).Fit(split.TrainSet);
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
    Console.WriteLine($"{name}: test accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}");
    if (options.Pooling != SequencePooling.Attention) continue;

    // The words the attention pooling weighed most, for one message.
    var engine = ml.Model.CreatePredictionEngine<Message, Explained>(model);
    var message = new Message { Text = "URGENT! You have won a FREE holiday. Text WIN to 80086 now to claim" };
    var prediction = engine.Predict(message);
    var vocabulary = Vocabulary.Of(model.Transform(split.TestSet).Schema["Ids"])!;
    var tokens = BasicEnglishTokenizer.Tokenize(message.Text).Select(t => vocabulary.Tokens[(int)vocabulary.IdOf(t)]).ToArray();
    Console.WriteLine($"'{message.Text}' -> {prediction.PredictedLabel}; most attended:");
    foreach (var (token, weight) in tokens.Zip(prediction.AttentionWeights).OrderByDescending(x => x.Second).Take(5))
    {
        Console.WriteLine($"  {token,-12} {weight:F3}");
    }
}

IEstimator<ITransformer> Pipeline(SequenceClassificationOptions options) =>
    ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
        .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: 2))
        .Append(ml.MulticlassClassification.Trainers.SequenceClassification(options))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

sealed class Message
{
    [LoadColumn(0)] public string Label { get; set; } = "";
    [LoadColumn(1)] public string Text { get; set; } = "";
}

sealed class Explained
{
    public string PredictedLabel { get; set; } = "";
    public float[] AttentionWeights { get; set; } = [];
}
