using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

// Blittable mirrors of the batch, targets and result structs of native/model/sc_model_types.h: same fields, same order.
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
/// The managed half of the layout check: the library publishes its ABI version, sc_model_config's
/// layout field by field and its enums value by value, and this assembly checks its own against them
/// once, before the first model is created (it keeps no copy of the version: the config it writes
/// carries the library's, and the library refuses a config of another size). The three structs mirrored
/// here by hand are checked by size.
/// </summary>
internal static unsafe class NativeAbi
{
    private static readonly Lazy<uint> Checked = new(Check);

    public static void EnsureChecked() => _ = Checked.Value;

    /// <summary>The library's SC_MODEL_ABI_VERSION, which a config carries.</summary>
    public static uint Version => Checked.Value;

    private static uint Check()
    {
        NativeMethods.sc_model_abi(out _, out long batch, out long stepResult, out long targets, out int version);
        if (batch != sizeof(NativeBatch) || stepResult != sizeof(NativeStepResult) || targets != sizeof(NativeTargets))
        {
            throw new SeqClassifyException(
                $"The native library's structs (batch {batch} bytes, step result {stepResult}, targets {targets}; ABI version {version}) " +
                $"differ from this assembly's ({sizeof(NativeBatch)}, {sizeof(NativeStepResult)}, {sizeof(NativeTargets)}): " +
                "the managed and native builds come from different sources; rebuild both.");
        }
        // The config's layout, field by field against SequenceModelOptions; the enums, value by value.
        _ = NativeModelConfig.Size;
        NativeEnums.Check();
        return (uint)version;
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
    public long* Documents;
    public long DocumentCount;
}

/// <summary>What a batch trains towards: labels (single label) or values (multi-label rows of 0/1, regression scores).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeTargets
{
    public long* Labels;
    public float* Values;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NativeStepResult
{
    public double Loss;
    public long Correct;
    public long Rows;
}
