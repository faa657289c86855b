namespace SeqClassify.Torch.Tests;

/// <summary>
/// Denormals are flushed to zero in the engine's math (FTZ/DAZ), and only there: the calling
/// thread's floating-point mode is as it was after every kind of engine call.
/// </summary>
[TestFixture]
public class FloatModeTests
{
    private const uint FlushBits = 0x8040;  // MXCSR's FTZ (bit 15) and DAZ (bit 6)

    [Test]
    public void EngineCallsFlushDenormalsOnTheirThreadAndEveryPoolThread()
    {
        int previous = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Threads = Math.Max(2, Environment.ProcessorCount);
            var mode = TorchRuntime.FloatMode;

            bool x86 = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is System.Runtime.InteropServices.Architecture.X64;
            Assert.That(mode.EngineFlushesDenormals, x86 ? Is.True : Is.Null, "x86-64 flushes; elsewhere the mode is left alone");
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }

    [Test]
    public void TheCallersModeIsAsItWasAfterTrainingPredictingAndGradients()
    {
        uint before = TorchRuntime.FloatMode.CallerMode;
        using var model = new SequenceClassifierModel(TestModels.TokenOptions());
        var batch = TestModels.Batch(TestModels.RandomSequences(4, 5, 6));

        model.TrainStep(batch, [0, 1, 2], 0.01);
        uint afterTraining = TorchRuntime.FloatMode.CallerMode;
        model.Predict(batch);
        uint afterPredicting = TorchRuntime.FloatMode.CallerMode;
        model.ComputeGradients(batch, [0, 1, 2]);
        uint afterGradients = TorchRuntime.FloatMode.CallerMode;

        Assert.That(before & FlushBits, Is.Zero, ".NET threads start without FTZ/DAZ");
        Assert.That(new[] { afterTraining, afterPredicting, afterGradients }, Has.All.EqualTo(before));
    }
}
