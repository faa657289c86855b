using System.Buffers;

namespace SeqClassify.Torch.Interop;

/// <summary>
/// Pins a <see cref="SequenceBatch"/>'s arrays and describes them as an sc_batch, for one native
/// call: dispose it right after the call.
/// </summary>
internal unsafe ref struct PinnedBatch
{
    private MemoryHandle _lengths;
    private MemoryHandle _ids;
    private MemoryHandle _features;
    private MemoryHandle _types;

    public NativeBatch Native;

    public PinnedBatch(SequenceBatch batch)
    {
        _lengths = batch.Lengths.AsMemory().Pin();
        bool narrowIds = batch.TokenIds32 is not null;
        _ids = narrowIds ? batch.TokenIds32.AsMemory().Pin() : batch.TokenIds64.AsMemory().Pin();
        _features = batch.Features.AsMemory().Pin();
        _types = narrowIds ? batch.TokenTypes32.AsMemory().Pin() : batch.TokenTypes64.AsMemory().Pin();
        Native = new NativeBatch
        {
            TokenIds = _ids.Pointer,
            Features = (float*)_features.Pointer,
            Lengths = (long*)_lengths.Pointer,
            TokenTypeIds = _types.Pointer,
            BatchSize = batch.BatchSize,
            MaxLength = batch.MaxLength,
            FeatureSize = batch.FeatureSize,
            IdBits = narrowIds ? 32 : 64,
        };
    }

    public void Dispose()
    {
        _lengths.Dispose();
        _ids.Dispose();
        _features.Dispose();
        _types.Dispose();
    }
}
