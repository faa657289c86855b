using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

// Mirrors native/sc_status.h.
internal static partial class NativeMethods
{
    [LibraryImport(NativeLibraryName.Value)]
    internal static partial IntPtr sc_status_last_error();
}
