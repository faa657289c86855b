using System.Buffers;

namespace SeqClassify.Torch.Interop;

/// <summary>
/// Pins a <see cref="SequenceBatch"/>'s arrays and describes them as an sc_batch, for one native
/// call: dispose it right after the call.
/// </summary>
internal unsafe ref struct PinnedBatch
{
    private readonly List<MemoryHandle> _pins = new(4);

    public NativeBatch Native;

    public PinnedBatch(SequenceBatch batch)
    {
        Native = Describe(batch, _pins);
    }

    /// <summary>The sc_batch of <paramref name="batch"/>, its arrays pinned into <paramref name="pins"/> (the caller disposes them after the call).</summary>
    public static NativeBatch Describe(SequenceBatch batch, List<MemoryHandle> pins)
    {
        void* Pin<T>(T[]? array)
        {
            var handle = array.AsMemory().Pin();
            pins.Add(handle);
            return handle.Pointer;
        }
        bool narrowIds = batch.TokenIds32 is not null;
        return new NativeBatch
        {
            TokenIds = narrowIds ? Pin(batch.TokenIds32) : Pin(batch.TokenIds64),
            Features = (float*)Pin(batch.Features),
            Lengths = (long*)Pin(batch.Lengths),
            TokenTypeIds = narrowIds ? Pin(batch.TokenTypes32) : Pin(batch.TokenTypes64),
            BatchSize = batch.BatchSize,
            MaxLength = batch.MaxLength,
            FeatureSize = batch.FeatureSize,
            IdBits = narrowIds ? 32 : 64,
            Documents = (long*)Pin(batch.Documents),
            DocumentCount = batch.DocumentCount,
        };
    }

    public void Dispose()
    {
        foreach (var pin in _pins) pin.Dispose();
        _pins.Clear();
    }
}
