namespace SeqClassify.Torch.Tests;

/// <summary>
/// Issue 30, item 6: the engine publishes a Transformer's position table (learned, or its sinusoids), which the
/// ONNX exporter writes instead of computing the sinusoids a second time.
/// </summary>
[TestFixture]
public class PositionTableTests
{
    [Test]
    public void ALearnedTableIsItsParameterAndASinusoidalOneTheFormula()
    {
        var learnedOptions = TestModels.TransformerOptions();
        learnedOptions.PositionalEncoding = PositionalEncoding.Learned;
        using var learned = new SequenceClassifierModel(learnedOptions);
        using var sinusoidal = new SequenceClassifierModel(TestModels.TransformerOptions());

        var parameter = TensorArchive.Read(learned.ExportParameters()).Single(t => t.Name == "positional.weight");
        Assert.That(learned.PositionTable(), Is.EqualTo(parameter.Floats));
        float[] table = sinusoidal.PositionTable();
        int width = sinusoidal.Options.HiddenSize;
        Assert.That(table, Has.Length.EqualTo(sinusoidal.Options.MaxPositions * width));
        // Position p, pair i: sin and cos of p * 10000^(-2i/width).
        for (int p = 0; p < sinusoidal.Options.MaxPositions; p++)
        {
            for (int i = 0; 2 * i < width; i++)
            {
                double angle = p * Math.Exp(2 * i * -Math.Log(10000.0) / width);
                Assert.That(table[p * width + 2 * i], Is.EqualTo(Math.Sin(angle)).Within(1e-5), $"sin at {p}, {i}");
                Assert.That(table[p * width + 2 * i + 1], Is.EqualTo(Math.Cos(angle)).Within(1e-5), $"cos at {p}, {i}");
            }
        }
        using var rnn = new SequenceClassifierModel(TestModels.TokenOptions());
        Assert.That(() => rnn.PositionTable(), Throws.InvalidOperationException.With.Message.Contains("An RNN has no position table"));
    }
}
