using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

// Blittable mirrors of the structs in native/sc_model.h: same fields, same order.

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

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeModelConfig
{
    public uint StructSize;
    public uint Version;
    public long VocabSize;
    public long InputSize;
    public long HiddenSize;
    public long NumLayers;
    public long HeadHiddenSize;
    public long NumClasses;
    public float* PretrainedEmbeddings;
    public float* ClassWeights;
    public ulong Seed;
    public int Cell;
    public int Pooling;
    public int Bidirectional;
    public int FreezeEmbeddings;
    public float EmbeddingDropout;
    public float RnnDropout;
    public float Dropout;
    public float LabelSmoothing;
    public float AdamBeta1;
    public float AdamBeta2;
    public float AdamEps;
    public float WeightDecay;
    public float ClipNorm;
    public int Encoder;
    public long Heads;
    public long FeedforwardSize;
    public long MaxPositions;
    public int Positional;
    public int Activation;
    public int NormFirst;
    public float TransformerDropout;
}

/// <summary>
/// The managed half of the layout check (native/sc_model.h, SC_MODEL_ABI_VERSION): the structs'
/// sizes here against the library's, once, before the first model is created. The native half
/// refuses a config whose struct_size or version differ.
/// </summary>
internal static unsafe class NativeAbi
{
    public const uint Version = 4;

    private static readonly Lazy<bool> Checked = new(Check);

    public static void EnsureChecked() => _ = Checked.Value;

    private static bool Check()
    {
        NativeMethods.sc_model_abi(out long config, out long batch, out long stepResult, out int version);
        if (config != sizeof(NativeModelConfig) || batch != sizeof(NativeBatch) || stepResult != sizeof(NativeStepResult)
            || version != Version)
        {
            throw new SeqClassifyException(
                $"The native library's structs (config {config} bytes, batch {batch}, step result {stepResult}, version {version}) " +
                $"differ from this assembly's ({sizeof(NativeModelConfig)}, {sizeof(NativeBatch)}, {sizeof(NativeStepResult)}, version {Version}): " +
                "the managed and native builds come from different sources; rebuild both.");
        }
        return true;
    }
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeBatch
{
    public void* TokenIds;
    public float* Features;
    public long* Lengths;
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
