namespace SeqClassify.Torch.Tests;

/// <summary>Errors raised inside the native engine cross the C ABI as .NET exceptions, and the process goes on.</summary>
[TestFixture]
public class NativeErrorTests
{
    [TestCase(SequenceEncoder.Rnn)]
    [TestCase(SequenceEncoder.Transformer)]
    public void AFeatureWidthMismatchArrivesAsAnExceptionNamingBothWidths(SequenceEncoder encoder)
    {
        // The model expects 4 features per step; the batch carries 3. The engine checks the batch
        // before it reads a feature.
        var options = new SequenceModelOptions { InputSize = 4, HiddenSize = 4, NumClasses = 2, Encoder = encoder, Heads = 2, FeedForwardSize = 8 };
        if (encoder == SequenceEncoder.Transformer) options.Pooling = SequencePooling.Mean;
        using var model = new SequenceClassifierModel(options);
        var batch = SequenceBatch.FromFeatures([[[1f, 2f, 3f]]], 3);

        var error = Assert.Throws<ArgumentException>(() => model.Predict(batch));

        Assert.That(error!.Message, Does.Contain("the batch has 3 features per step; this model takes 4"));
    }

    [Test]
    public unsafe void BothSidesAgreeOnTheStructLayoutAndTheEngineRefusesAnother()
    {
        Interop.NativeMethods.sc_model_abi(out long config, out long batch, out long stepResult, out int version);
        Assert.That((config, batch, stepResult, version),
            Is.EqualTo(((long)sizeof(Interop.NativeModelConfig), (long)sizeof(Interop.NativeBatch), (long)sizeof(Interop.NativeStepResult), (int)Interop.NativeAbi.Version)));

        // A caller built against an older layout: refused before any field is read.
        var stale = new Interop.NativeModelConfig { StructSize = (uint)sizeof(Interop.NativeModelConfig) - 40, Version = 1, NumClasses = 2 };
        var status = Interop.NativeMethods.sc_model_create(in stale, out var handle);
        handle.Dispose();

        var error = Assert.Throws<ArgumentException>(() => Interop.NativeStatus.ThrowIfFailed(status));
        Assert.That(error!.Message, Does.Contain($"sc_model_config of {sizeof(Interop.NativeModelConfig) - 40} bytes, version 1").And.Contain("managed and native builds differ"));
    }

    [Test]
    public void TheModelAndProcessKeepWorkingAfterANativeError()
    {
        using var model = new SequenceClassifierModel(new SequenceModelOptions { InputSize = 4, HiddenSize = 5, NumClasses = 2 });
        Assert.Throws<ArgumentException>(() => model.Predict(SequenceBatch.FromFeatures([[[1f, 2f, 3f]]], 3)));

        float[] probabilities = model.Predict(SequenceBatch.FromFeatures([[[1f, 2f, 3f, 4f]]], 4));

        Assert.That(probabilities.Sum(), Is.EqualTo(1f).Within(1e-5f));
    }

    [Test]
    public void TheLastErrorIsPerThread()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        var bad = SequenceBatch.FromPaddedTokenIds(new long[] { 99 }, [1], 1);
        var messages = new string[4];

        Parallel.For(0, 4, i =>
        {
            var batch = SequenceBatch.FromPaddedTokenIds(new long[] { 99 + i }, [1], 1);
            messages[i] = Assert.Throws<ArgumentException>(() => model.Predict(batch))!.Message;
        });

        for (int i = 0; i < 4; i++)
        {
            Assert.That(messages[i], Does.Contain($"token id {99 + i}"));
        }
    }

    [Test]
    public void RuntimeReportsTheEngineVersionAndSetsThreads()
    {
        int before = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Threads = 1;
            Assert.That(TorchRuntime.Threads, Is.EqualTo(1));
            Assert.That(TorchRuntime.EngineVersion, Does.Match(@"^\d+\.\d+\.\d+$"));
            Assert.That(() => TorchRuntime.Threads = 0, Throws.InstanceOf<ArgumentException>().With.Message.Contains("Threads must be between 1 and"));
        }
        finally
        {
            TorchRuntime.Threads = before;
        }
    }
}
