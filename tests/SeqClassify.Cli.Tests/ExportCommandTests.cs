using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SeqClassify.MLNet.Text;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// Issue 23: seqclassify export. A model whose tokenizer exports (whitespace) becomes a text-in graph
/// that a plain ML.NET program runs with ApplyOnnxModel, predicting the .zip's labels on the whole
/// SST-2 test set; the default (basic_english) model becomes a tokens-in graph; imported BERT and
/// DistilBERT checkpoints export as networks with PyTorch's probabilities.
/// </summary>
[TestFixture]
public class ExportCommandTests
{
    private static string Sst2(string file) => Path.Combine(Cli.SharedDatasets, "sst2", file);

    /// <summary>A small model on SST-2's first 3,000 training rows: the test is about the export, not accuracy.</summary>
    private static string Train(string tokenizer)
    {
        string scratch = Cli.Scratch(), train = Path.Combine(scratch, "train.tsv"), model = Path.Combine(scratch, $"{tokenizer}.zip");
        File.WriteAllLines(train, File.ReadLines(Sst2("train.tsv")).Take(3001));
        var result = Cli.Run("train", "--train", train, "--text-column", "sentence", "--label-column", "label", "--tokenizer", tokenizer,
            "--epochs", "1", "--pretrained", "none", "--hidden", "32", "--embedding-dim", "32", "--out", model);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        return model;
    }

    private static List<JsonNode> Predict(string model)
    {
        var predict = Cli.Run("predict", "--model", model, "--input", Sst2("test.tsv"), "--text-column", "sentence");
        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
        return predict.Out.Trim().Split('\n').Select(l => JsonNode.Parse(l)!).ToList();
    }

    [Test]
    public void A_plain_mlnet_program_predicts_the_zips_labels_on_the_sst2_test_set_from_the_exported_onnx()
    {
        string model = Train("whitespace"), onnx = Path.ChangeExtension(model, ".onnx");

        var export = Cli.Run("export", "--model", model, "--onnx", onnx);
        var (exitCode, output, error) = PlainOnnxConsumerProcess.Run(onnx, Sst2("test.tsv"), "sentence");

        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        Assert.That(export.Out, Does.Contain("input Text (string [batch, 1])"));
        Assert.That(exitCode, Is.EqualTo(0), error);
        string[] labels = output.Trim().Split('\n');
        var expected = Predict(model).Select(p => p["label"]!.GetValue<string>()).ToArray();
        Assert.That(labels, Has.Length.EqualTo(1821));
        Assert.That(labels, Is.EqualTo(expected), "every SST-2 test sentence gets the .zip's label");
        Assert.That(expected.Distinct().Count(), Is.EqualTo(2), "both labels occur: the comparison can tell them apart");
    }

    [Test]
    public void The_default_model_exports_from_tokens_and_scores_a_padded_batch_as_predict()
    {
        string model = Train("basic_english"), onnx = Path.ChangeExtension(model, ".onnx");

        var export = Cli.Run("export", "--model", model, "--onnx", onnx);

        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        Assert.That(export.Out, Does.Contain("input Tokens (string [batch, tokens], right-padded with empty strings)").And.Contain("BasicEnglishTokenizer.Tokenize"));
        var texts = File.ReadLines(Sst2("test.tsv")).Skip(1).Take(300).Select(l => l.Split('\t')[1]).ToList();
        var tokens = texts.Select(BasicEnglishTokenizer.Tokenize).ToList();
        int width = tokens.Max(t => t.Length);
        var batch = new DenseTensor<string>([tokens.Count, width]);
        for (int b = 0; b < tokens.Count; b++)
        {
            for (int t = 0; t < width; t++) batch[b, t] = t < tokens[b].Length ? tokens[b][t] : "";
        }
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Tokens", batch)]);
        float[] scores = results.Single(r => r.Name == "Score.output").AsTensor<float>().ToArray();
        var expected = Predict(model).Take(300).ToList();
        for (int i = 0; i < texts.Count; i++)
        {
            var top = expected[i]["top"]![0]!;
            int label = int.Parse(top["label"]!.GetValue<string>());  // SST-2's labels 0 and 1 sort as keys 0 and 1
            Assert.That(scores[2 * i + label], Is.EqualTo(top["probability"]!.GetValue<double>()).Within(2e-6), $"row {i}: {texts[i]}");
        }
    }

    [Test]
    public void Where_mlnets_converter_fails_on_its_own_tokenizer_the_graph_starts_at_the_tokens_and_says_why()
    {
        string model = Train("chars"), onnx = Path.ChangeExtension(model, ".onnx");

        var export = Cli.Run("export", "--model", model, "--onnx", onnx);

        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        Assert.That(export.Out, Does.Contain("input Tokens").And.Contain("from the tokens: ML.NET's converter failed on the steps before Tokens"));
        using var session = new InferenceSession(onnx);
        Assert.That(session.InputMetadata.Keys, Is.EqualTo(new[] { "Tokens" }));
    }

    [TestCase("bert")]
    [TestCase("distilbert")]
    public void An_imported_checkpoint_exports_as_a_network_with_pytorchs_probabilities(string family)
    {
        string pretrained = Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained");
        string model = Path.Combine(Cli.Scratch(), $"{family}.zip"), onnx = Path.ChangeExtension(model, ".onnx");
        var import = Cli.Run("import", "--pretrained-model", Path.Combine(pretrained, $"tiny-{family}-classifier"), "--out", model);

        var export = Cli.Run("export", "--model", model, "--onnx", onnx, "--network-only");

        Assert.That(import.ExitCode, Is.EqualTo(0), import.Error);
        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        var fixture = TensorArchive.Read(File.ReadAllBytes(Path.Combine(pretrained, "tiny_transformers.sct"))).ToDictionary(t => t.Name);
        var ids = fixture["input.ids"];
        long[] lengths = fixture["input.lengths"].Int64s!;
        using var session = new InferenceSession(onnx);
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("ids", new DenseTensor<long>(ids.Int64s!, ids.Shape.Select(d => (int)d).ToArray())),
            NamedOnnxValue.CreateFromTensor("lengths", new DenseTensor<long>(lengths, [lengths.Length])),
        ]);
        float[] probabilities = results.Single(r => r.Name == "probabilities").AsTensor<float>().ToArray();
        float[] logits = fixture[$"{family}.logits"].Floats!;
        for (int row = 0; row < lengths.Length; row++)
        {
            // The pair row's token types come from its first [SEP], in the graph as in the engine.
            Assert.That(probabilities.AsSpan(row * 3, 3).ToArray(), Is.EqualTo(Softmax(logits.AsSpan(row * 3, 3).ToArray())).Within(1e-5), $"row {row}");
        }
    }

    [Test]
    public void Export_refuses_to_overwrite_its_model()
    {
        string model = Train("whitespace");

        var export = Cli.Run("export", "--model", model, "--onnx", model);

        Assert.That(export.ExitCode, Is.EqualTo(2));
        Assert.That(export.Error, Does.Contain("--onnx"));
        Assert.That(File.ReadAllBytes(model).Take(2), Is.EqualTo("PK"u8.ToArray()), "the model is still a zip");
    }

    private static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        return e.Select(x => x / e.Sum()).ToArray();
    }
}
