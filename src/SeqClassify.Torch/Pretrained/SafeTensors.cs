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
        var tensors = new Dictionary<string, NamedTensor>();
        var buffer = new byte[ChunkBytes];
        foreach (var entry in header.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            try
            {
                tensors[entry.Name] = ReadTensor(entry.Name, entry.Value, handle, buffer, dataStart, dataBytes);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or OverflowException or EndOfStreamException)
            {
                throw Refuse($"tensor '{entry.Name}': {e.Message}");
            }
        }
        return tensors;
    }

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

    private static NamedTensor ReadTensor(string name, JsonElement meta, SafeFileHandle handle, byte[] buffer, long dataStart, long dataBytes)
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
