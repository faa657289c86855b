// IMDB sentiment end to end from ../shared/datasets/imdb: load the CSVs, train with the library's
// default configuration, evaluate on the test split, save the model.
// Run: dotnet run -c Release --project examples/ImdbSentiment -- [--rows N] [--epochs N]
// (--rows limits training rows for a quick try; the full run takes a while on 2 cores.)
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;

int rows = Option("--rows", 0);
var trainer = new SequenceClassificationOptions { Threads = Environment.ProcessorCount, ValidationFraction = 0.05, EarlyStoppingPatience = 1 };
trainer.Epochs = Option("--epochs", trainer.Epochs);
trainer.Progress = new Progress<TrainingProgress>(p =>
{
    if (p.EpochCompleted is { } e) Console.WriteLine($"epoch {e.Epoch}: loss {e.TrainLoss:F4}, validation accuracy {e.ValidationAccuracy:P2} ({e.Seconds:F0} s)");
});

var ml = new MLContext(seed: 1);
string folder = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/datasets/imdb");
// The files' header is "id,rating,label,text"; reviews are quoted and may hold commas and newlines.
var loader = ml.Data.CreateTextLoader(new TextLoader.Options
{
    Columns = [new("Label", DataKind.String, 2), new("Text", DataKind.String, 3)],
    Separators = [','], HasHeader = true, AllowQuoting = true, ReadMultilines = true,
});
var train = loader.Load(Path.Combine(folder, "train.csv"));
var test = loader.Load(Path.Combine(folder, "test.csv"));
if (rows > 0) train = ml.Data.StratifiedTrainTestSplit(train, testFraction: (double)rows / 25_000, labelColumnName: "Label").TestSet;

var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
    .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: 5, maximumLength: 400))
    .Append(ml.MulticlassClassification.Trainers.SequenceClassification(trainer))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var model = pipeline.Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"test accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}");
Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
ml.Model.Save(model, train.Schema, "imdb-model.zip");

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
