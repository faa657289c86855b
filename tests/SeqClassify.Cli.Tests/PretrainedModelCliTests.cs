using System.Text.Json.Nodes;
using Microsoft.ML;
using SeqClassify.Testing;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>seqclassify train --pretrained-model: fine-tuning the shared MiniLM folder from the shell.</summary>
[TestFixture]
public class PretrainedModelCliTests
{
    private static string MiniLM => Path.Combine(RepositoryPaths.Shared, "models", "all-MiniLM-L6-v2");

    [Test]
    public void TrainFineTunesTheFolderAndPredictNeedsOnlyTheZip()
    {
        string model = Path.Combine(Cli.Scratch(), "minilm.zip");

        var train = Cli.Run("train", "--train", Cli.SmsSlice(everyNth: 20), "--no-header", "--text-column", "1", "--label-column", "0",
            "--pretrained-model", MiniLM, "--epochs", "1", "--valid-fraction", "0", "--out", model);

        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Out, Does.Contain($"pretrained encoder {MiniLM}, Mean pooling, 1 epoch(s), batch 32, lr 5E-05"));
        Assert.That(train.Out, Does.Contain("pretrained encoder all-MiniLM-L6-v2: 6 layers, width 384, 12 heads, vocabulary 30,522, Mean pooling into a new 2-class head"));
        var held = LoadedModel.Load(new MLContext(), model).Classifier.Model.ReadEngineOptions();
        Assert.That((held.EmbeddingNorm, held.ScaleEmbedding, held.LayerNormEpsilon, held.GradientClipNorm, held.WeightDecay, held.Dropout),
            Is.EqualTo((true, false, 1e-12, 1f, 0.01f, 0.1f)), "the folder's encoder, Hugging Face's fine-tuning settings");
        var predict = Cli.Run("predict", "--model", model, "--text", "WINNER!! Claim your free prize now, call 09061701461");
        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
        Assert.That(JsonNode.Parse(predict.Out)!["top"]![0]!["probability"]!.GetValue<double>(), Is.InRange(0.0, 1.0));
    }

    [Test]
    public void TheWordTokenizerOptionsDoNotApply()
    {
        var result = Cli.Run("train", "--train", Cli.SmsSlice(), "--no-header", "--text-column", "1", "--label-column", "0",
            "--pretrained-model", MiniLM, "--min-freq", "3", "--out", Path.Combine(Cli.Scratch(), "m.zip"));

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("--tokenizer and --min-freq do not apply with --pretrained-model"));
    }
}
