using System.Text;
using SeqClassify.Torch.Interop;

namespace SeqClassify.Torch;

/// <summary>Process-wide engine settings.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// libtorch's intra-op thread count. Setting it also sets OpenBLAS to one thread, since two pools
    /// on a small machine oversubscribe its cores.
    /// </summary>
    public static int Threads
    {
        get
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_get_threads(out int threads));
            return threads;
        }
        set => NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_set_threads(value));
    }

    /// <summary>
    /// The floating-point mode as the engine sees it. <c>CallerMode</c>: the calling thread's control
    /// word now (MXCSR on x86-64, 0 elsewhere), which engine calls leave as they found it.
    /// <c>EngineFlushesDenormals</c>: whether engine calls flush denormal floats to zero (FTZ and DAZ)
    /// on their own thread and libtorch's pool threads; null where the engine leaves the mode alone
    /// (not x86-64). Values below about 1.2e-38 then become 0 in the engine's math, which on Intel
    /// CPUs avoids a microcode assist per denormal.
    /// </summary>
    public static (uint CallerMode, bool? EngineFlushesDenormals) FloatMode
    {
        get
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_float_mode(out uint caller, out int flushes));
            return (caller, flushes < 0 ? null : flushes == 1);
        }
    }

    /// <summary>The libtorch version the shim was built against, e.g. "1.13.0".</summary>
    public static unsafe string TorchVersion
    {
        get
        {
            byte* buffer = stackalloc byte[64];
            NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_torch_version(buffer, 64));
            var text = new ReadOnlySpan<byte>(buffer, 64);
            return Encoding.UTF8.GetString(text[..text.IndexOf((byte)0)]);
        }
    }
}
