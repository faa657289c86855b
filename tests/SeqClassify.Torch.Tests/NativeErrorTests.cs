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
        var options = new SequenceModelOptions { InputSize = 4, HiddenSize = 4, NumClasses = 2, Encoder = encoder, Heads = 2, FeedForwardSize = 8, Bidirectional = false, Pooling = SequencePooling.Last, Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0 };
        if (encoder == SequenceEncoder.Transformer) options.Pooling = SequencePooling.Mean;
        using var model = new SequenceClassifierModel(options);
        var batch = SequenceBatch.FromFeatures([[[1f, 2f, 3f]]], 3);

        var error = Assert.Throws<ArgumentException>(() => model.Predict(batch));

        Assert.That(error!.Message, Does.Contain("the batch has 3 features per step; this model takes 4"));
    }

    [Test]
    public unsafe void TheConfigHasNoPaddingAndTheEngineRefusesAnotherVersion()
    {
        Interop.NativeMethods.sc_model_abi(out long size, out long batch, out long stepResult, out long targets, out int version);
        Assert.That((batch, stepResult, targets, version),
            Is.EqualTo(((long)sizeof(Interop.NativeBatch), (long)sizeof(Interop.NativeStepResult), (long)sizeof(Interop.NativeTargets), (int)Interop.NativeAbi.Version)));
        // Each field right after the previous one, the struct ending within the alignment of its
        // widest field: an inserted field moves every later offset, which the managed side's by-name
        // layout follows.
        long next = 0;
        long versionOffset = -1;
        for (int i = 0; i < Interop.NativeMethods.sc_model_config_field_count(); i++)
        {
            Interop.NativeStatus.ThrowIfFailed(Interop.NativeMethods.sc_model_config_field(i, out IntPtr name, out long offset, out long bytes, out _));
            Assert.That(offset, Is.EqualTo(next), System.Runtime.InteropServices.Marshal.PtrToStringUTF8(name));
            if (System.Runtime.InteropServices.Marshal.PtrToStringUTF8(name) == "version") versionOffset = offset;
            next = offset + bytes;
        }
        Assert.That(size, Is.EqualTo((next + 7) / 8 * 8), "the fields end where the struct does, but for its tail padding");

        // A caller built against another version: refused before any other field is read.
        byte[] stale = Interop.NativeModelConfig.Write(new SequenceModelOptions(), null, null);
        BitConverter.TryWriteBytes(stale.AsSpan((int)versionOffset), 1u);
        Interop.NativeStatusCode status;
        fixed (byte* config = stale)
        {
            status = Interop.NativeMethods.sc_model_create(config, out var handle);
            handle.Dispose();
        }

        var error = Assert.Throws<ArgumentException>(() => Interop.NativeStatus.ThrowIfFailed(status));
        Assert.That(error!.Message, Does.Contain($"sc_model_config of {size} bytes, version 1").And.Contain("managed and native builds differ"));
    }

    [Test]
    public void TheModelAndProcessKeepWorkingAfterANativeError()
    {
        using var model = new SequenceClassifierModel(new SequenceModelOptions { InputSize = 4, HiddenSize = 5, NumClasses = 2, Bidirectional = false, Pooling = SequencePooling.Last, Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0 });
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
