using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

// Mirrors native/sc_status.h.
internal static partial class NativeMethods
{
    // Before any P/Invoke of this class: a library that cannot load is explained (NativeLibraryLoader).
    static NativeMethods() => NativeLibraryLoader.Register();

    [LibraryImport(NativeLibraryName.Value)]
    internal static partial IntPtr sc_status_last_error();
}
