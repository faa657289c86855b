namespace SeqClassify.MLNet.Tests;

/// <summary>Paths to ../shared/datasets (beside the repository, in CI too) and scratch files.</summary>
internal static class TestData
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Datasets => Path.Combine(RepositoryRoot, "..", "shared", "datasets");

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

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SeqClassify.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("SeqClassify.sln not found above " + AppContext.BaseDirectory);
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
