using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

/// <summary>Mirror of sc_process_group_config in native/abi/sc_distributed.h: same fields, same order.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeProcessGroupConfig
{
    public const uint CurrentVersion = 2;

    public uint StructSize;
    public uint Version;
    public byte* MasterAddress;
    public int MasterPort;
    public int WorldSize;
    public int Rank;
    public int TimeoutMs;
    public int Reserved;
    public byte* Token;
}

/// <summary>sc_reduce_type.</summary>
internal enum NativeReduceType
{
    Float32 = 0,
    Float64 = 1,
    Int64 = 2,
}

// Mirrors native/sc_distributed.h.
internal static partial class NativeMethods
{
    [LibraryImport(NativeLibraryName.Value)]
    internal static partial int sc_process_group_available();

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_process_group_create(in NativeProcessGroupConfig config, out ProcessGroupHandle group);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial void sc_process_group_dispose(IntPtr group);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_model_join_process_group(ModelHandle model, ProcessGroupHandle group);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_model_replicas_identical(ModelHandle model, out int identical);

    [LibraryImport(NativeLibraryName.Value)]
    internal static unsafe partial NativeStatusCode sc_process_group_all_reduce(ProcessGroupHandle group, void* values, long count, int type, int op);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_process_group_barrier(ProcessGroupHandle group);

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial NativeStatusCode sc_process_group_statistics(ProcessGroupHandle group, out double seconds, out long collectives, out long bytes);
}
