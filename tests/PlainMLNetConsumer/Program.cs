using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: PlainMLNetConsumer MODEL.zip TEXT [TEXT ...]
// Prints one line per text: the predicted label, then every score as a round-trippable float.
var ml = new MLContext(seed: 1);
var model = ml.Model.Load(args[0], out _);
var engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
foreach (string text in args.Skip(1))
{
    var output = engine.Predict(new Input { Text = text });
    Console.WriteLine(output.PredictedLabel + "\t" + string.Join(' ', output.Score.Select(s => s.ToString("R", CultureInfo.InvariantCulture))));
}

internal sealed class Input
{
    // The pipeline maps labels to keys first, so its input schema has a Label column; unknown at prediction.
    public string Label { get; set; } = "";

    public string Text { get; set; } = "";
}

internal sealed class Output
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];
}
