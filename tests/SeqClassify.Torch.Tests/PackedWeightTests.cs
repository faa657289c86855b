namespace SeqClassify.Torch.Tests;

/// <summary>
/// In inference a Linear keeps its weight packed for the kernels and reuses it (native/model/sc_linear.h).
/// What it keeps must never outlive the weights or the kernel set it was packed for: after a training
/// step, an import, or a change of kernel set, a prediction equals a fresh model's with the same weights.
/// </summary>
public class PackedWeightTests
{
    /// <summary>A Transformer with every Linear that keeps a packing: attention, feed-forward, the pooler, a head's hidden layer, a projected input.</summary>
    private static SequenceModelOptions Options()
    {
        var o = TestModels.TransformerOptions(SequencePooling.ClsPooler);
        o.HeadHiddenSize = 5;
        o.InputSize = 6;
        return o;
    }

    private static float[] Fresh(SequenceClassifierModel model, SequenceBatch batch)
    {
        using var fresh = new SequenceClassifierModel(model.Options);
        fresh.ImportParameters(model.ExportParameters());
        return fresh.Predict(batch);
    }

    [Test]
    public void A_prediction_after_a_training_step_uses_the_new_weights()
    {
        using var model = new SequenceClassifierModel(Options());
        var batch = TestModels.Batch(TestModels.RandomSequences(3, 7, 5));
        float[] before = model.Predict(batch);

        model.TrainStep(batch, [0, 1, 2], 0.05);
        float[] after = model.Predict(batch);

        Assert.That(after, Is.Not.EqualTo(before), "the step changed the predictions");
        Assert.That(after, Is.EqualTo(Fresh(model, batch)), "exactly a fresh model's with the stepped weights");
    }

    [Test]
    public void A_prediction_after_an_import_uses_the_imported_weights()
    {
        using var model = new SequenceClassifierModel(Options());
        var other = Options();
        other.Seed = 99;
        using var source = new SequenceClassifierModel(other);
        var batch = TestModels.Batch(TestModels.RandomSequences(4, 2));
        model.Predict(batch);

        model.ImportParameters(source.ExportParameters());

        Assert.That(model.Predict(batch), Is.EqualTo(source.Predict(batch)));
    }

    [Test]
    public void On_every_kernel_set_a_prediction_equals_a_fresh_models_on_that_set()
    {
        using var model = new SequenceClassifierModel(Options());
        var batch = TestModels.Batch(TestModels.RandomSequences(6, 3, 9));
        foreach (string set in TorchRuntime.KernelSets)
        {
            TestModels.WithKernels(set, () => model.Predict(batch));
        }
        foreach (string set in TorchRuntime.KernelSets.Reverse())
        {
            TestModels.WithKernels(set, () => Assert.That(model.Predict(batch), Is.EqualTo(Fresh(model, batch)), set));
        }
    }

    [Test]
    public void Concurrent_predictions_share_the_packing_and_agree()
    {
        using var model = new SequenceClassifierModel(Options());
        var batch = TestModels.Batch(TestModels.RandomSequences(5, 8, 2, 6));
        float[] expected = Fresh(model, batch);

        var results = new float[8][];
        Parallel.For(0, results.Length, i => results[i] = model.Predict(batch));

        Assert.That(results, Has.All.EqualTo(expected));
    }
}
