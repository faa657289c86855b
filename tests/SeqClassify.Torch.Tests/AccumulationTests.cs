namespace SeqClassify.Torch.Tests;

/// <summary>
/// Gradient accumulation (issue 30, item 3's --accumulate): one step over micro-batches is one step over
/// all their rows, whatever their sizes and class weights, while the engine holds one micro-batch's
/// activations at a time.
/// </summary>
[TestFixture]
public class AccumulationTests
{
    [TestCase(SequenceEncoder.Rnn, false)]
    [TestCase(SequenceEncoder.Rnn, true)]
    [TestCase(SequenceEncoder.Transformer, true)]
    public void MicroBatchesStepAsTheirRowsTogether(SequenceEncoder encoder, bool classWeights)
    {
        SequenceModelOptions Options()
        {
            var options = encoder == SequenceEncoder.Rnn ? TestModels.TokenOptions(RnnCellType.Gru, bidirectional: true, pooling: SequencePooling.Mean)
                : TestModels.TransformerOptions();
            options.GradientClipNorm = 1f;  // clipping sees the combined gradient
            options.TransformerDropout = 0;  // no masks: they would be drawn per micro-batch
            options.LabelSmoothing = 0.1f;
            if (classWeights) options.ClassWeights = [1f, 3f, 0.5f];
            return options;
        }
        var sequences = TestModels.RandomSequences(5, 3, 8, 2, 6, 7, 4);
        long[] labels = [0, 2, 1, 1, 0, 2, 1];
        using var whole = new SequenceClassifierModel(Options());
        using var accumulated = new SequenceClassifierModel(Options());

        var one = whole.TrainStep(TestModels.Batch(sequences), labels, 0.01);
        // Micro-batches of unequal sizes: 3, 1 and 3 rows.
        int[][] parts = [[0, 1, 2], [3], [4, 5, 6]];
        var result = accumulated.TrainStepAccumulated(parts.Select(p => TestModels.Batch(p.Select(i => sequences[i]))).ToList(),
            parts.Select(p => p.Select(i => labels[i]).ToArray()).ToList(), 0.01);

        Assert.That(result.Loss, Is.EqualTo(one.Loss).Within(1e-5));
        Assert.That((result.Correct, result.Rows), Is.EqualTo((one.Correct, one.Rows)));
        // The combined gradients (left in the model by the step) are the whole batch's; so are the
        // stepped parameters, wherever the gradient is more than rounding noise (AdamW's first step
        // moves a parameter by about lr whatever its gradient's size: the attention's key bias, whose
        // true gradient is zero, goes wherever the noise points).
        var gradients = TensorArchive.Read(whole.ExportGradients()).ToDictionary(t => t.Name);
        foreach (var gradient in TensorArchive.Read(accumulated.ExportGradients()))
        {
            Assert.That(gradient.Floats, Is.EqualTo(gradients[gradient.Name].Floats).Within(1e-5f), gradient.Name);
        }
        var parameters = TensorArchive.Read(whole.ExportParameters()).ToDictionary(t => t.Name);
        foreach (var parameter in TensorArchive.Read(accumulated.ExportParameters()))
        {
            float[] gradient = gradients[parameter.Name].Floats!, mine = parameter.Floats!, theirs = parameters[parameter.Name].Floats!;
            var meaningful = Enumerable.Range(0, mine.Length).Where(i => Math.Abs(gradient[i]) > 1e-6f).ToArray();
            Assert.That(meaningful.Select(i => mine[i]), Is.EqualTo(meaningful.Select(i => theirs[i])).Within(1e-5f), parameter.Name);
        }
    }

    [Test]
    public void ARefusedMicroBatchLeavesTheParametersAsTheyWere()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        byte[] before = model.ExportParameters();

        Assert.That(() => model.TrainStepAccumulated([TestModels.Batch(TestModels.RandomSequences(2)), TestModels.Batch(TestModels.RandomSequences(3))],
            [[0L], [9L]], 0.01), Throws.InstanceOf<ArgumentException>().With.Message.Contains("label 9 is outside the classes"));
        Assert.That(model.ExportParameters(), Is.EqualTo(before));
    }
}
