using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

// Blittable mirrors of the structs in native/sc_model.h: same fields, same order.

internal enum NativeStatusCode
{
    Ok = 0,
    InvalidArgument = 1,
    InvalidState = 2,
    OutOfMemory = 3,
    TorchError = 4,
    FormatError = 5,
    UnknownError = 6,
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeModelConfig
{
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
    public int LibtorchRnn;
    public int Reserved;
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
}
