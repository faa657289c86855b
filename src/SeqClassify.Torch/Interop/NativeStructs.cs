using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

// Blittable mirrors of the batch and result structs in native/sc_model.h: same fields, same order.
// (sc_model_config has no mirror: NativeModelConfig reads its layout from the library.)

internal enum NativeStatusCode
{
    Ok = 0,
    InvalidArgument = 1,
    InvalidState = 2,
    OutOfMemory = 3,
    FormatError = 5,
    UnknownError = 6,
    DistributedError = 7,
}

/// <summary>
/// The managed half of the layout check (native/sc_model.h, SC_MODEL_ABI_VERSION): the structs'
/// sizes here against the library's, once, before the first model is created. The native half
/// refuses a config whose struct_size or version differ.
/// </summary>
internal static unsafe class NativeAbi
{
    public const uint Version = 9;

    private static readonly Lazy<bool> Checked = new(Check);

    public static void EnsureChecked() => _ = Checked.Value;

    private static bool Check()
    {
        NativeMethods.sc_model_abi(out _, out long batch, out long stepResult, out int version);
        if (batch != sizeof(NativeBatch) || stepResult != sizeof(NativeStepResult) || version != Version)
        {
            throw new SeqClassifyException(
                $"The native library's structs (batch {batch} bytes, step result {stepResult}, version {version}) " +
                $"differ from this assembly's ({sizeof(NativeBatch)}, {sizeof(NativeStepResult)}, version {Version}): " +
                "the managed and native builds come from different sources; rebuild both.");
        }
        // The config's layout, field by field against SequenceModelOptions.
        _ = NativeModelConfig.Size;
        return true;
    }
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeBatch
{
    public void* TokenIds;
    public float* Features;
    public long* Lengths;
    public void* TokenTypeIds;
    public long BatchSize;
    public long MaxLength;
    public long FeatureSize;
    public int IdBits;
    public int Reserved;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NativeStepResult
{
    public double Loss;
    public long Correct;
    public long Rows;
}
