// Two-class sentiment on sentences written for this example: the whole ML.NET flow in one page, with
// ML.NET's own text transforms (NormalizeText, TokenizeIntoWords) feeding SeqClassify's vocabulary
// and sequence-classification trainer (its default encoder, a bidirectional GRU).
// Run: dotnet run --project examples/QuickStart
using SeqClassify.MLNet.Training;

var ml = new MLContext(seed: 1);
var data = ml.Data.LoadFromEnumerable(new[]
{
    new Review("positive", "An absolute joy from start to finish."),
    new Review("negative", "A tedious, overlong mess."),
    new Review("positive", "The cast is wonderful and the story moving."),
    new Review("negative", "Flat acting and a predictable plot."),
    new Review("positive", "Funny, warm and beautifully shot."),
    new Review("negative", "I was bored within ten minutes."),
    new Review("positive", "One of the best films this year."),
    new Review("negative", "The worst script I have read in years."),
    new Review("positive", "A delightful surprise; I loved it."),
    new Review("negative", "Painfully slow and utterly forgettable."),
    new Review("positive", "Smart writing and a great soundtrack."),
    new Review("negative", "Loud, dumb and far too long."),
});

var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.NormalizeText("CleanText", "Text", keepPunctuations: false))
    .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "CleanText"))
    .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens"))
    .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions { PretrainedEmbeddings = PretrainedModelKind.None, Epochs = 40, BatchSize = 4, HiddenSize = 32, EmbeddingDimension = 32, LearningRate = 0.01 }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var model = pipeline.Fit(data);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
Console.WriteLine($"training accuracy: {metrics.MicroAccuracy:P1}");

string path = Path.Combine(Path.GetTempPath(), "quickstart-model.zip");
ml.Model.Save(model, data.Schema, path);
var loaded = ml.Model.Load(path, out _);
var engine = ml.Model.CreatePredictionEngine<Input, Prediction>(loaded);
foreach (var text in new[] { "What a wonderful, funny film!", "Boring and far too long." })
{
    var p = engine.Predict(new Input { Text = text });
    Console.WriteLine($"{text} -> {p.PredictedLabel} ({p.Score.Max():P0})");
}

sealed record Review(string Label, string Text);

sealed class Input
{
    // The pipeline maps labels to keys first, so its input has a Label column; unknown when predicting.
    public string Label { get; set; } = "";

    public string Text { get; set; } = "";
}

sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
