using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

/// <summary>Owns one native sc_model; releasing it calls sc_model_dispose exactly once.</summary>
internal sealed class ModelHandle : SafeHandle
{
    public ModelHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.sc_model_dispose(handle);
        return true;
    }
}
