namespace SeqClassify.Torch.Interop;

/// <summary>The shim's file name, without prefix and extension, as P/Invoke probes for it.</summary>
internal static class NativeLibraryName
{
    // libseqclassify_native.so is copied beside the managed assembly by the build.
    public const string Value = "seqclassify_native";
}
