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
