namespace SeqClassify.MLNet.Tests;

/// <summary>Paths to ../shared/datasets (beside the repository, in CI too) and scratch files.</summary>
internal static class TestData
{
    public static string Datasets => RepositoryPaths.Datasets;

    public static string SmsSpam => Path.Combine(Datasets, "sms_spam", "SMSSpamCollection");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A fresh directory under the test's work folder.</summary>
    public static string ScratchDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "seqclassify-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static string WriteFile(string content, string extension = ".csv")
    {
        string path = Path.Combine(ScratchDirectory(), "data" + extension);
        File.WriteAllText(path, content);
        return path;
    }

}

/// <summary>A labelled text row, as users write them.</summary>
public sealed class LabeledText
{
    [LoadColumn(0)] public string Label { get; set; } = "";
    [LoadColumn(1)] public string Text { get; set; } = "";
}

/// <summary>Text only, for prediction.</summary>
public sealed class TextInput
{
    public string Text { get; set; } = "";
}

/// <summary>What the pipeline predicts.</summary>
public sealed class TextPrediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}

/// <summary>A sequence of 2-feature steps, flattened step after step, with a label.</summary>
public sealed class Sequence
{
    [VectorType] public float[] Steps { get; set; } = [];
    public string Label { get; set; } = "";
}
