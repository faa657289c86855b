// A model saved by `seqclassify train` (or by mlContext.Model.Save from any program) served over HTTP
// with ASP.NET Core and Microsoft.Extensions.ML's PredictionEnginePool: plain ML.NET, no SeqClassify
// call. The pool gives each request its own PredictionEngine and reloads the file when it changes.
// Run: dotnet run --project examples/PredictionServer -- "$PWD/artifacts/sst2.zip"
//      (an absolute path: `dotnet run` starts the program in the project's folder)
//      curl -s localhost:5000/predict -H 'content-type: application/json' -d '{"text":"a gorgeous , witty film"}'
using Microsoft.Extensions.ML;

string modelPath = Path.GetFullPath(args.FirstOrDefault(a => a.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) ?? "artifacts/sst2.zip");
if (!File.Exists(modelPath))
{
    // The pool would only find out at the first request.
    Console.Error.WriteLine($"model file '{modelPath}' does not exist: train one first (scripts/setup-and-train.sh writes artifacts/sst2.zip)");
    return 1;
}
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddPredictionEnginePool<Review, Prediction>().FromFile(modelName: "sentiment", filePath: modelPath, watchForChanges: true);
var app = builder.Build();

app.MapPost("/predict", (Review review, PredictionEnginePool<Review, Prediction> pool) =>
{
    var prediction = pool.Predict("sentiment", review);
    return Results.Json(new { label = prediction.PredictedLabel, probability = prediction.Score.Max() });
});
app.Run();
return 0;

/// <summary>The model's input: the CLI's models read Label and Text (Label is unknown when predicting).</summary>
public sealed class Review
{
    public string Label { get; set; } = "";
    public string Text { get; set; } = "";
}

/// <summary>What the model adds: the label's text and one probability per class.</summary>
public sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
