using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

/// <summary>Owns one native sc_process_group; releasing it calls sc_process_group_dispose exactly once.</summary>
internal sealed class ProcessGroupHandle : SafeHandle
{
    public ProcessGroupHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.sc_process_group_dispose(handle);
        return true;
    }
}
