using System.Buffers.Binary;
using System.Text.Json;

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
        byte[] file = File.ReadAllBytes(path);
        SeqClassifyException Refuse(string what) => new($"'{path}' is not a safetensors file the engine can read: {what}.");
        if (file.Length < 8) throw Refuse($"it has {file.Length} bytes, fewer than the 8 of the header length");
        long headerBytes = BinaryPrimitives.ReadInt64LittleEndian(file);
        if (headerBytes < 2 || headerBytes > MaximumHeaderBytes || 8 + headerBytes > file.Length)
        {
            throw Refuse($"the header length {headerBytes} is outside 2..{Math.Min(MaximumHeaderBytes, file.Length - 8)}");
        }
        JsonElement header;
        try
        {
            header = JsonDocument.Parse(file.AsMemory(8, (int)headerBytes)).RootElement;
        }
        catch (JsonException e)
        {
            throw Refuse($"its header is not JSON ({e.Message})");
        }
        if (header.ValueKind != JsonValueKind.Object) throw Refuse("its header is not a JSON object");
        long dataStart = 8 + headerBytes, dataBytes = file.Length - dataStart;
        var tensors = new Dictionary<string, NamedTensor>();
        foreach (var entry in header.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            try
            {
                tensors[entry.Name] = ReadTensor(entry.Name, entry.Value, file, dataStart, dataBytes);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or OverflowException)
            {
                throw Refuse($"tensor '{entry.Name}': {e.Message}");
            }
        }
        return tensors;
    }

    private static NamedTensor ReadTensor(string name, JsonElement meta, byte[] file, long dataStart, long dataBytes)
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
        var data = file.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0]));
        var values = new float[count];
        // One loop per dtype: the choice is made once per tensor, not per element.
        switch (dtype)
        {
            case "F32":
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
                break;
            case "F16":
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..]);
                break;
            default:  // BF16: the high half of a float32
                for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]) << 16);
                break;
        }
        return new NamedTensor(name, shape, values, null);
    }
}
