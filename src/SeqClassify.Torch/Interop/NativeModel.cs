using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

/// <summary>
/// The thin layer between public types and <see cref="NativeMethods"/>: pins managed memory,
/// calls, checks the status, copies results out. Public code calls this, never NativeMethods.
/// </summary>
internal static unsafe class NativeModel
{
    public static ModelHandle Create(SequenceModelOptions options)
    {
        NativeAbi.EnsureChecked();
        float[]? pretrained = options.PretrainedEmbeddings;
        float[]? weights = options.ClassWeights;
        fixed (float* pretrainedPtr = pretrained)
        fixed (float* weightsPtr = weights)
        {
            byte[] config = NativeModelConfig.Write(options, pretrainedPtr, weightsPtr);
            fixed (byte* configPtr = config)
            {
                NativeStatus.ThrowIfFailed(NativeMethods.sc_model_create(configPtr, out ModelHandle handle));
                return handle;
            }
        }
    }

    /// <summary>The options as the engine holds them (arrays null: it keeps no caller memory).</summary>
    public static SequenceModelOptions ReadConfig(ModelHandle model)
    {
        var config = new byte[NativeModelConfig.Size];
        fixed (byte* configPtr = config)
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_config_read(model, configPtr));
        }
        return NativeModelConfig.Read(config);
    }

    public static void PositionTable(ModelHandle model, float[] values)
    {
        fixed (float* valuesPtr = values)
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_position_table(model, valuesPtr, values.LongLength));
        }
    }

    public static long ParameterCount(ModelHandle model)
    {
        NativeStatus.ThrowIfFailed(NativeMethods.sc_model_parameter_count(model, out long count));
        return count;
    }

    public static NativeStepResult TrainStep(ModelHandle model, SequenceBatch batch, TrainingTargets targets, double learningRate)
    {
        using var pinned = new PinnedBatch(batch);
        var native = pinned.Native;
        fixed (long* labelsPtr = targets.Labels)
        fixed (float* valuesPtr = targets.Values)
        {
            var nativeTargets = new NativeTargets { Labels = labelsPtr, Values = valuesPtr };
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_train_step(
                model, &native, &nativeTargets, learningRate, out NativeStepResult result));
            return result;
        }
    }

    /// <summary>One step over several micro-batches, whose gradients the engine combines (sc_model_train_steps).</summary>
    public static NativeStepResult TrainSteps(ModelHandle model, IReadOnlyList<SequenceBatch> batches, IReadOnlyList<TrainingTargets> targets, double learningRate)
    {
        var pins = new List<System.Buffers.MemoryHandle>();
        try
        {
            var natives = batches.Select(b => PinnedBatch.Describe(b, pins)).ToArray();
            var nativeTargets = targets.Select(t => new NativeTargets
            {
                Labels = t.Labels is null ? null : (long*)Pin(t.Labels.AsMemory(), pins),
                Values = t.Values is null ? null : (float*)Pin(t.Values.AsMemory(), pins),
            }).ToArray();
            fixed (NativeBatch* nativesPtr = natives)
            fixed (NativeTargets* targetsPtr = nativeTargets)
            {
                NativeStatus.ThrowIfFailed(NativeMethods.sc_model_train_steps(model, nativesPtr, targetsPtr, natives.Length, learningRate,
                    out NativeStepResult result));
                return result;
            }
        }
        finally
        {
            foreach (var pin in pins) pin.Dispose();
        }
    }

    /// <summary>A step of a process group's rank that has no rows for it: it takes part in the gradients' reduction with none.</summary>
    public static NativeStepResult TrainStepWithoutRows(ModelHandle model, double learningRate)
    {
        NativeStatus.ThrowIfFailed(NativeMethods.sc_model_train_step(model, null, null, learningRate, out NativeStepResult result));
        return result;
    }

    public static double ComputeGradients(ModelHandle model, SequenceBatch batch, TrainingTargets targets)
    {
        using var pinned = new PinnedBatch(batch);
        fixed (long* labelsPtr = targets.Labels)
        fixed (float* valuesPtr = targets.Values)
        {
            var nativeTargets = new NativeTargets { Labels = labelsPtr, Values = valuesPtr };
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_compute_gradients(model, in pinned.Native, in nativeTargets, out double loss));
            return loss;
        }
    }

    // Pins memory for the length of a call; the pin is released with the others in the caller's finally.
    private static void* Pin<T>(Memory<T> memory, List<System.Buffers.MemoryHandle> pins)
    {
        var pin = memory.Pin();
        pins.Add(pin);
        return pin.Pointer;
    }

    public static void Predict(ModelHandle model, SequenceBatch batch, ModelOutput output, float[] values)
    {
        using var pinned = new PinnedBatch(batch);
        fixed (float* valuesPtr = values)
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_predict(
                model, in pinned.Native, (int)output, valuesPtr, values.LongLength));
        }
    }

    public static void PredictWithAttention(ModelHandle model, SequenceBatch batch, ModelOutput output, float[] values, float[] weights)
    {
        using var pinned = new PinnedBatch(batch);
        fixed (float* valuesPtr = values)
        fixed (float* weightsPtr = weights)
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_predict_attention(
                model, in pinned.Native, (int)output, valuesPtr, values.LongLength, weightsPtr, weights.LongLength));
        }
    }

    public static byte[] ExportParameters(ModelHandle model)
    {
        NativeStatus.ThrowIfFailed(NativeMethods.sc_model_export_parameters(model, out IntPtr buffer, out long size));
        return TakeBuffer(buffer, size);
    }

    public static byte[] ExportGradients(ModelHandle model)
    {
        NativeStatus.ThrowIfFailed(NativeMethods.sc_model_export_gradients(model, out IntPtr buffer, out long size));
        return TakeBuffer(buffer, size);
    }

    public static void ImportParameters(ModelHandle model, ReadOnlySpan<byte> archive)
    {
        fixed (byte* bytes = archive)
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_import_parameters(model, bytes, archive.Length));
        }
    }

    // Copies a buffer the shim allocated and frees it there, even if the copy fails.
    private static byte[] TakeBuffer(IntPtr buffer, long size)
    {
        try
        {
            var bytes = new byte[size];
            Marshal.Copy(buffer, bytes, 0, checked((int)size));
            return bytes;
        }
        finally
        {
            NativeMethods.sc_runtime_free_buffer(buffer);
        }
    }
}
