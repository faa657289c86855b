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
        var tensors = new List<NamedTensor>();
        foreach (var entry in Entries(bytes))
        {
            var data = bytes.Slice(entry.Offset, entry.Length);
            tensors.Add(entry.Dtype == Float32
                ? new NamedTensor(entry.Name, entry.Shape, ReadFloats(data), null)
                : new NamedTensor(entry.Name, entry.Shape, null, ReadInt64s(data)));
        }
        return tensors;
    }

    /// <summary>
    /// Writes <paramref name="values"/>' floats over the entries of the same name in <paramref name="archive"/>,
    /// in place (a model's parameters as ExportParameters gives them, about to be imported again), so that
    /// no second copy of a large model is made; an entry of another shape or dtype is refused by name.
    /// Returns how many entries were overwritten.
    /// </summary>
    public static int Overwrite(byte[] archive, IReadOnlyDictionary<string, NamedTensor> values)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(values);
        int written = 0;
        foreach (var entry in Entries(archive))
        {
            if (!values.TryGetValue(entry.Name, out var value)) continue;
            if (entry.Dtype != Float32 || value.Floats is null || !value.Shape.SequenceEqual(entry.Shape))
            {
                throw new ArgumentException($"tensor '{entry.Name}' is [{string.Join(", ", entry.Shape)}] in the archive but [{string.Join(", ", value.Shape)}] given.", nameof(values));
            }
            var to = archive.AsSpan(entry.Offset, entry.Length);
            for (int i = 0; i < value.Floats.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(to[(i * 4)..], value.Floats[i]);
            written++;
        }
        return written;
    }

    private readonly record struct Entry(string Name, byte Dtype, long[] Shape, int Offset, int Length);

    // Every entry's name, dtype, shape and where its data lies, checked as the format requires.
    private static List<Entry> Entries(ReadOnlySpan<byte> bytes)
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
        var entries = new List<Entry>();
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
            int length = checked((int)(elements * elementSize));
            entries.Add(new Entry(name, dtype, shape, reader.Position, length));
            reader.Take(length, "tensor data");
        }
        if (reader.Remaining != 0)
        {
            throw new SeqClassifyException($"tensor archive has {reader.Remaining} unexpected bytes after its last entry.");
        }
        return entries;
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

        public readonly int Position => _offset;

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
