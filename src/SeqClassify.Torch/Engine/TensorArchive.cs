using System.Buffers.Binary;
using System.Text;

namespace SeqClassify.Torch;

/// <summary>One named tensor: float32 or int64 values in row-major order.</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[]? Floats, long[]? Int64s)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Reads and writes the engine's tensor archive, the byte format that carries a model's
/// parameters (see native/sc_tensor_archive.h for the layout). Version 1, little-endian:
/// "SCTENSOR", u32 version, u32 count, then per tensor: u32 name length, UTF-8 name,
/// u8 dtype (1 float32, 2 int64), u8 rank, i64 dims, data.
/// </summary>
public static class TensorArchive
{
    /// <summary>The format version this build reads and writes.</summary>
    public const uint Version = 1;

    private static ReadOnlySpan<byte> Magic => "SCTENSOR"u8;
    private const byte Float32 = 1;
    private const byte Int64 = 2;

    /// <summary>Parses an archive; a malformed one throws <see cref="SeqClassifyException"/> naming the byte offset.</summary>
    public static IReadOnlyList<NamedTensor> Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new SpanReader(bytes);
        if (!reader.Take(Magic.Length, "magic").SequenceEqual(Magic))
        {
            throw new SeqClassifyException("not a tensor archive: the first 8 bytes are not \"SCTENSOR\".");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(reader.Take(4, "version"));
        if (version != Version)
        {
            throw new SeqClassifyException($"tensor archive version {version} is not supported (this build reads version {Version}).");
        }
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(reader.Take(4, "entry count"));
        var tensors = new List<NamedTensor>();
        for (uint i = 0; i < count; i++)
        {
            int nameLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(reader.Take(4, "name length")));
            string name = Encoding.UTF8.GetString(reader.Take(nameLength, "name"));
            byte dtype = reader.Take(1, "dtype")[0];
            if (dtype is not (Float32 or Int64))
            {
                throw new SeqClassifyException($"tensor '{name}' has unknown dtype code {dtype}.");
            }
            int rank = reader.Take(1, "rank")[0];
            var shape = new long[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++)
            {
                shape[d] = BinaryPrimitives.ReadInt64LittleEndian(reader.Take(8, "dimension"));
                if (shape[d] < 0 || (shape[d] > 0 && elements > reader.Remaining / shape[d]))
                {
                    throw new SeqClassifyException($"tensor '{name}' declares an impossible shape.");
                }
                elements *= shape[d];
            }
            int elementSize = dtype == Float32 ? 4 : 8;
            if (elements > reader.Remaining / elementSize)
            {
                throw new SeqClassifyException($"tensor '{name}' declares more data than the archive holds.");
            }
            var data = reader.Take(checked((int)(elements * elementSize)), "tensor data");
            tensors.Add(dtype == Float32
                ? new NamedTensor(name, shape, ReadFloats(data), null)
                : new NamedTensor(name, shape, null, ReadInt64s(data)));
        }
        if (reader.Remaining != 0)
        {
            throw new SeqClassifyException($"tensor archive has {reader.Remaining} unexpected bytes after its last entry.");
        }
        return tensors;
    }

    /// <summary>Writes tensors in the given order.</summary>
    public static byte[] Write(IEnumerable<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write((uint)list.Count);
        foreach (var tensor in list)
        {
            if ((tensor.Floats is null) == (tensor.Int64s is null))
            {
                throw new ArgumentException($"tensor '{tensor.Name}' must hold exactly one of Floats and Int64s.", nameof(tensors));
            }
            long length = tensor.Floats?.LongLength ?? tensor.Int64s!.LongLength;
            if (length != tensor.ElementCount)
            {
                throw new ArgumentException($"tensor '{tensor.Name}' holds {length} values but its shape needs {tensor.ElementCount}.", nameof(tensors));
            }
            byte[] name = Encoding.UTF8.GetBytes(tensor.Name);
            writer.Write((uint)name.Length);
            writer.Write(name);
            writer.Write(tensor.Floats is not null ? Float32 : Int64);
            writer.Write((byte)tensor.Shape.Length);
            foreach (long d in tensor.Shape)
            {
                writer.Write(d);
            }
            if (tensor.Floats is not null)
            {
                foreach (float v in tensor.Floats) writer.Write(v);
            }
            else
            {
                foreach (long v in tensor.Int64s!) writer.Write(v);
            }
        }
        writer.Flush();
        return stream.ToArray();
    }

    private static float[] ReadFloats(ReadOnlySpan<byte> data)
    {
        var values = new float[data.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
        return values;
    }

    private static long[] ReadInt64s(ReadOnlySpan<byte> data)
    {
        var values = new long[data.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]);
        return values;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _offset;

        public readonly int Remaining => _bytes.Length - _offset;

        public ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count < 0 || count > Remaining)
            {
                throw new SeqClassifyException(
                    $"tensor archive truncated at byte {_offset}: expected {count} bytes of {what}, only {Remaining} left.");
            }
            var slice = _bytes.Slice(_offset, count);
            _offset += count;
            return slice;
        }
    }
}
