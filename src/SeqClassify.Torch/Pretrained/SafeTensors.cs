using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// Reads Hugging Face's safetensors format: an 8-byte little-endian header length, a JSON header
/// ({name: {dtype, shape, data_offsets: [begin, end]}}, and "__metadata__"), then the raw
/// little-endian data. No code is executed, unlike a pickled pytorch_model.bin. F32, F16 and BF16
/// tensors are read as float32; anything malformed is refused naming the file and the tensor.
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted (real headers are kilobytes).</summary>
    public const long MaximumHeaderBytes = 100L << 20;

    /// <summary>Every tensor of the file, by name.</summary>
    public static IReadOnlyDictionary<string, NamedTensor> Read(string path)
    {
        // Read tensor by tensor from the file, not the whole file into memory: a model's weights are
        // then held once, as floats.
        using var handle = File.OpenHandle(path);
        long fileLength = RandomAccess.GetLength(handle);
        SeqClassifyException Refuse(string what) => new($"'{path}' is not a safetensors file the engine can read: {what}.");
        if (fileLength < 8) throw Refuse($"it has {fileLength} bytes, fewer than the 8 of the header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(handle, lengthBytes, 0);
        long headerBytes = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerBytes < 2 || headerBytes > MaximumHeaderBytes || 8 + headerBytes > fileLength)
        {
            throw Refuse($"the header length {headerBytes} is outside 2..{Math.Min(MaximumHeaderBytes, fileLength - 8)}");
        }
        var headerText = new byte[headerBytes];
        ReadExactly(handle, headerText, 8);
        try
        {
            _ = StrictUtf8.GetCharCount(headerText);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw Refuse($"its header is not UTF-8 text (an invalid byte at offset {8 + e.Index})");
        }
        JsonElement header;
        try
        {
            header = JsonDocument.Parse(headerText).RootElement;
        }
        catch (JsonException e)
        {
            throw Refuse($"its header is not JSON ({e.Message})");
        }
        if (header.ValueKind != JsonValueKind.Object) throw Refuse("its header is not a JSON object");
        long dataStart = 8 + headerBytes, dataBytes = fileLength - dataStart;
        // Every entry is checked before any tensor is allocated: names once each, and byte ranges that
        // neither overlap nor share bytes, so that what is allocated is bounded by the file's size (400
        // tensors over the same 16 MB once took 6.45 GB before a refusal).
        var entries = new List<Entry>();
        var names = new HashSet<string>();
        foreach (var property in header.EnumerateObject())
        {
            if (!names.Add(property.Name)) throw Refuse($"its header names '{property.Name}' twice");
            if (property.Name == "__metadata__") continue;
            try
            {
                entries.Add(Describe(property.Name, property.Value, dataBytes));
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or OverflowException)
            {
                throw Refuse($"tensor '{property.Name}': {e.Message}");
            }
        }
        var byStart = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < byStart.Count; i++)
        {
            if (byStart[i].Begin < byStart[i - 1].End)
            {
                throw Refuse($"tensors '{byStart[i - 1].Name}' and '{byStart[i].Name}' share bytes (data_offsets [{byStart[i - 1].Begin}, {byStart[i - 1].End}] " +
                             $"and [{byStart[i].Begin}, {byStart[i].End}]); each tensor has bytes of its own");
            }
        }
        var tensors = new Dictionary<string, NamedTensor>();
        var buffer = new byte[ChunkBytes];
        foreach (var entry in entries)
        {
            try
            {
                tensors[entry.Name] = ReadTensor(entry, handle, buffer, dataStart);
            }
            catch (EndOfStreamException e)
            {
                throw Refuse($"tensor '{entry.Name}': {e.Message}");
            }
        }
        return tensors;
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A tensor's header entry, checked: its dtype's width, shape, element count and bytes.</summary>
    private sealed record Entry(string Name, string Dtype, int Width, long[] Shape, long Count, long Begin, long End);

    // Bytes converted per read: whole elements of any dtype.
    private const int ChunkBytes = 1 << 20;

    private static void ReadExactly(SafeFileHandle handle, Span<byte> to, long offset)
    {
        while (to.Length > 0)
        {
            int read = RandomAccess.Read(handle, to, offset);
            if (read == 0) throw new EndOfStreamException("the file ended early");
            to = to[read..];
            offset += read;
        }
    }

    private static Entry Describe(string name, JsonElement meta, long dataBytes)
    {
        string dtype = meta.GetProperty("dtype").GetString() ?? "";
        long[] shape = meta.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long[] offsets = meta.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (shape.Any(d => d < 0)) throw new FormatException($"negative dimension in shape [{string.Join(", ", shape)}]");
        long count = shape.Aggregate(1L, (a, b) => checked(a * b));
        int width = dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new FormatException($"dtype {dtype} is not a floating-point type the engine reads (F32, F16, BF16)"),
        };
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataBytes)
        {
            throw new FormatException($"data_offsets [{string.Join(", ", offsets)}] are outside the {dataBytes} data bytes");
        }
        if (offsets[1] - offsets[0] != checked(count * width))
        {
            throw new FormatException($"{offsets[1] - offsets[0]} bytes for shape [{string.Join(", ", shape)}] of {dtype} ({count * width} expected)");
        }
        if (count > Array.MaxLength) throw new FormatException($"{count} elements is more than one array holds");
        return new Entry(name, dtype, width, shape, count, offsets[0], offsets[1]);
    }

    private static NamedTensor ReadTensor(Entry entry, SafeFileHandle handle, byte[] buffer, long dataStart)
    {
        var (name, dtype, width, shape, count) = (entry.Name, entry.Dtype, entry.Width, entry.Shape, entry.Count);
        long[] offsets = [entry.Begin, entry.End];
        var values = new float[count];
        for (long first = 0; first < count; first += ChunkBytes / width)
        {
            int n = (int)Math.Min(ChunkBytes / width, count - first);
            var data = buffer.AsSpan(0, n * width);
            ReadExactly(handle, data, dataStart + offsets[0] + first * width);
            var to = values.AsSpan((int)first, n);
            // One loop per dtype: the choice is made once per chunk, not per element.
            switch (dtype)
            {
                case "F32":
                    for (int i = 0; i < n; i++) to[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
                    break;
                case "F16":
                    for (int i = 0; i < n; i++) to[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..]);
                    break;
                default:  // BF16: the high half of a float32
                    for (int i = 0; i < n; i++) to[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]) << 16);
                    break;
            }
        }
        return new NamedTensor(name, shape, values, null);
    }
}
