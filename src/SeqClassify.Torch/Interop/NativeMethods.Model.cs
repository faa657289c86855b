using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

// Mirrors native/sc_model.h.
internal static partial class NativeMethods
{
    [LibraryImport(NativeLibraryName.Value)]
    internal static partial void sc_model_abi(out long configSize, out long batchSize, out long stepResultSize, out long targetsSize, out int version);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_create(byte* config, out ModelHandle model);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial int sc_model_config_field_count();

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_model_config_field(int index, out IntPtr name, out long offset, out long size, out int kind);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial int sc_model_enum_value_count();

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_model_enum_value(int index, out IntPtr enumeration, out IntPtr name, out int value);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_config_read(ModelHandle model, byte* config);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial void sc_model_dispose(IntPtr model);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_model_parameter_count(ModelHandle model, out long count);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_position_table(ModelHandle model, float* values, long capacity);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_train_step(
        ModelHandle model, NativeBatch* batch, NativeTargets* targets, double learningRate, out NativeStepResult result);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_train_steps(
        ModelHandle model, NativeBatch* batches, NativeTargets* targets, int count, double learningRate, out NativeStepResult result);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_compute_gradients(
        ModelHandle model, in NativeBatch batch, in NativeTargets targets, out double loss);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_predict(
        ModelHandle model, in NativeBatch batch, int output, float* values, long capacity);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_predict_attention(
        ModelHandle model, in NativeBatch batch, int output, float* values, long capacity, float* weights, long weightsCapacity);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_model_export_parameters(ModelHandle model, out IntPtr buffer, out long size);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_model_export_gradients(ModelHandle model, out IntPtr buffer, out long size);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_model_import_parameters(ModelHandle model, byte* buffer, long size);
}
