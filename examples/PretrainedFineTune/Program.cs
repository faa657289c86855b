// Fine-tunes a pretrained BERT-shaped encoder from a local Hugging Face folder
// (../shared/models/all-MiniLM-L6-v2) on SST-2 in an ML.NET pipeline: the folder's tokenizer makes the
// ids, the trainer starts from its weights with a new head, ML.NET evaluates on the test split, and the
// saved .zip (tokenizer and weights inside) predicts with no folder.
// Run: dotnet run -c Release --project examples/PretrainedFineTune -- [--rows N] [--epochs N]
// (--rows: the first N training rows, for a quick try; a 1-epoch run on 5,000 rows takes about a minute on 2 cores.)
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

int rows = Option("--rows", 5000);
string shared = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared");
string folder = Path.Combine(shared, "models/all-MiniLM-L6-v2");
string sst2 = Path.Combine(shared, "datasets/sst2");

var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromTextFile<Row>(Path.Combine(sst2, "train.tsv"), hasHeader: true, separatorChar: '\t', allowQuoting: false);
var test = ml.Data.LoadFromTextFile<Row>(Path.Combine(sst2, "test.tsv"), hasHeader: true, separatorChar: '\t', allowQuoting: false);
if (rows > 0) train = ml.Data.TakeRows(train, rows);

// Hugging Face's fine-tuning recipe (SequenceClassificationOptions.FineTuning says which), on all the rows given.
var trainer = SequenceClassificationOptions.FineTuning(folder);
trainer.Epochs = Option("--epochs", 1);
trainer.ValidationFraction = 0;
trainer.Progress = new Progress<TrainingProgress>(p =>
{
    if (p.EpochCompleted is { } e) Console.WriteLine($"epoch {e.Epoch}: loss {e.TrainLoss:F4} ({e.Seconds:F0} s)");
});
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    // SST-2's test split writes brackets as -lrb- / -rrb-, its training split plainly.
    .Append(ml.Transforms.Text.UnescapePennTreebank("Plain", "Text"))
    .Append(ml.Transforms.Text.TokenizeForPretrained(folder, "Ids", "Plain", maximumLength: 128))
    .Append(ml.MulticlassClassification.Trainers.SequenceClassification(trainer))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var model = pipeline.Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"SST-2 test accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}");

string path = Path.Combine(Path.GetTempPath(), "pretrained-finetune.zip");
ml.Model.Save(model, train.Schema, path);
var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(ml.Model.Load(path, out _));
foreach (var text in new[] { "a gorgeous , witty , seductive movie .", "the plot is nothing but boilerplate clichés ." })
{
    var p = engine.Predict(new Row { Text = text });
    Console.WriteLine($"{text} -> {p.PredictedLabel} ({p.Score.Max():P0})");
}

static int Option(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int value) ? value : fallback;
}

sealed class Row
{
    [LoadColumn(0)] public string Label { get; set; } = "";
    [LoadColumn(1)] public string Text { get; set; } = "";
}

sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
