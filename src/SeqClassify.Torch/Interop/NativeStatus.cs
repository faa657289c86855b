using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

/// <summary>The one place where a native status becomes a .NET exception.</summary>
internal static class NativeStatus
{
    public static void ThrowIfFailed(NativeStatusCode status)
    {
        if (status == NativeStatusCode.Ok)
        {
            return;
        }
        // The message is thread-local on the native side, and this runs on the calling thread.
        string message = Marshal.PtrToStringUTF8(NativeMethods.sc_status_last_error()) ?? "";
        if (message.Length == 0)
        {
            message = $"native call failed with {status}";
        }
        throw status switch
        {
            NativeStatusCode.InvalidArgument => new ArgumentException(message),
            NativeStatusCode.InvalidState => new InvalidOperationException(message),
            NativeStatusCode.OutOfMemory => new OutOfMemoryException(message),
            NativeStatusCode.FormatError => new SeqClassifyException(message),
            NativeStatusCode.DistributedError => new DistributedTrainingException(message),
            _ => new SeqClassifyException(message),
        };
    }
}
