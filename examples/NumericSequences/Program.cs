// Sequences of feature vectors, no text: each step is a 3-axis accelerometer-like reading, and the
// task is to tell a "shake" (high-frequency oscillation) from a "tilt" (slow drift). Sequences
// vary in length; the RNN reads them directly, with no embedding.
// Run: dotnet run --project examples/NumericSequences
using SeqClassify.MLNet.Training;

var random = new Random(7);
var recordings = Enumerable.Range(0, 400).Select(i =>
{
    bool shake = i % 2 == 0;
    int length = random.Next(10, 40);
    var steps = Enumerable.Range(0, length).Select(t =>
    {
        double phase = shake ? Math.Sin(t * 1.7) : t / (double)length;
        return new[] { (float)(phase + random.NextDouble() * 0.3), (float)(random.NextDouble() * 0.3), (float)(1 - phase * 0.5) };
    }).SelectMany(step => step).ToArray();  // ML.NET vectors are flat: step after step, 3 values each
    return new Recording { Steps = steps, Label = shake ? "shake" : "tilt" };
}).ToList();

var ml = new MLContext(seed: 1);
var split = ml.Data.StratifiedTrainTestSplit(ml.Data.LoadFromEnumerable(recordings), testFraction: 0.25, labelColumnName: "Label");
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions
    {
        FeatureColumnName = "Steps", FeatureSize = 3, PretrainedEmbeddings = PretrainedModelKind.None, Cell = SeqClassify.Torch.RnnCellType.Lstm, HiddenSize = 32, Epochs = 10,
        LearningRate = 0.005, EmbeddingDropout = 0, Dropout = 0,
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var model = pipeline.Fit(split.TrainSet);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
Console.WriteLine($"test accuracy {metrics.MicroAccuracy:P1} on {split.TestSet.GetColumn<string>("Label").Count()} held-out recordings");

sealed class Recording
{
    [VectorType] public float[] Steps { get; set; } = [];
    public string Label { get; set; } = "";
}
