using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

// Mirrors native/sc_runtime.h.
internal static partial class NativeMethods
{
    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_runtime_set_threads(int threads);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_runtime_get_threads(out int threads);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_runtime_engine_version(byte* buffer, int capacity);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_runtime_float_mode(out uint callerMode, out int engineFlushes);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_runtime_kernel_sets(byte* buffer, int capacity);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_runtime_kernels(byte* buffer, int capacity);

    [LibraryImport(NativeLibraryName.Value, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NativeStatusCode sc_runtime_select_kernels(string name);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_runtime_measure_sgemm(long m, long n, long k, int repeats, out double gflops);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial void sc_runtime_free_buffer(IntPtr buffer);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_runtime_release_memory(out long bytes);
}
