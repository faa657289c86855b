using System.Reflection;
using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

/// <summary>
/// sc_model_config as the native library lays it out, and its one mapping to <see cref="SequenceModelOptions"/>.
/// There is no managed copy of the struct: the layout comes from the library's own table
/// (sc_model_config_field, made from the field list in native/abi/sc_model.h), and each field is
/// written from, and read back into, the property of the same name (hidden_size = HiddenSize). A field
/// without a property, or a property without a field, stops the first model with an exception naming
/// it, so an option cannot be half added: it is a property in SequenceModelOptions and a line in
/// sc_model.h, nothing in between.
/// </summary>
internal static unsafe class NativeModelConfig
{
    private enum Kind { Int = 0, UInt = 1, Float = 2, Pointer = 3 }

    private sealed record Field(string Name, int Offset, int Size, Kind Kind, PropertyInfo Property);

    // The header: written by this mapping, not from options.
    private const string StructSizeField = "struct_size", VersionField = "version";

    private sealed record ConfigLayout(int Size, Field[] Fields, int StructSizeOffset, int VersionOffset);

    private static readonly Lazy<ConfigLayout> Layout = new(ReadLayout);

    /// <summary>The bytes of a config for <paramref name="options"/>, the arrays passed as pointers (valid during the call that uses them).</summary>
    public static byte[] Write(SequenceModelOptions options, float* pretrainedEmbeddings, float* classWeights)
    {
        var (size, fields, structSizeOffset, versionOffset) = Layout.Value;
        var bytes = new byte[size];
        fixed (byte* config = bytes)
        {
            foreach (var field in fields)
            {
                byte* at = config + field.Offset;
                object? value = field.Property.GetValue(options);
                switch (field.Kind)
                {
                    case Kind.Pointer:
                        *(float**)at = field.Property.Name == nameof(SequenceModelOptions.PretrainedEmbeddings) ? pretrainedEmbeddings : classWeights;
                        break;
                    case Kind.Float when field.Size == 8:
                        *(double*)at = (double)value!;
                        break;
                    case Kind.Float:
                        *(float*)at = (float)value!;
                        break;
                    case Kind.Int or Kind.UInt:
                        long integer = value switch
                        {
                            bool b => b ? 1 : 0,
                            Enum e => Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture),
                            int i => i,
                            long l => l,
                            _ => throw new InvalidOperationException($"SequenceModelOptions.{field.Property.Name}: no integer conversion"),
                        };
                        if (field.Size == 8) *(long*)at = integer;
                        else *(int*)at = checked((int)integer);
                        break;
                }
            }
            *(uint*)(config + structSizeOffset) = (uint)size;
            *(uint*)(config + versionOffset) = NativeAbi.Version;
        }
        return bytes;
    }

    /// <summary>The options a config holds (its pointers, which the engine never keeps, read as null arrays).</summary>
    public static SequenceModelOptions Read(byte[] bytes)
    {
        var options = new SequenceModelOptions { PretrainedEmbeddings = null, ClassWeights = null };
        fixed (byte* config = bytes)
        {
            foreach (var field in Layout.Value.Fields.Where(f => f.Kind != Kind.Pointer))
            {
                byte* at = config + field.Offset;
                Type type = field.Property.PropertyType;
                if (field.Kind == Kind.Float)
                {
                    field.Property.SetValue(options, field.Size == 8 ? (object)*(double*)at : *(float*)at);
                    continue;
                }
                long integer = field.Size == 8 ? *(long*)at : *(int*)at;
                field.Property.SetValue(options, type == typeof(bool) ? integer != 0
                    : type.IsEnum ? Enum.ToObject(type, integer)
                    : type == typeof(int) ? checked((int)integer)
                    : (object)integer);
            }
        }
        return options;
    }

    /// <summary>The size of the native struct, for buffers that receive one.</summary>
    public static int Size => Layout.Value.Size;

    private static ConfigLayout ReadLayout()
    {
        NativeMethods.sc_model_abi(out long size, out _, out _, out _, out _);
        var properties = typeof(SequenceModelOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).ToDictionary(p => p.Name);
        var fields = new List<Field>();
        int structSizeOffset = -1, versionOffset = -1;
        for (int i = 0; i < NativeMethods.sc_model_config_field_count(); i++)
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_config_field(i, out IntPtr namePointer, out long offset, out long bytes, out int kind));
            string name = Marshal.PtrToStringUTF8(namePointer)!;
            if (name == StructSizeField) structSizeOffset = (int)offset;
            if (name == VersionField) versionOffset = (int)offset;
            if (name is StructSizeField or VersionField) continue;
            string propertyName = PascalCase(name);
            if (!properties.Remove(propertyName, out var property))
            {
                throw new SeqClassifyException(
                    $"The native library's sc_model_config has a field '{name}' but SequenceModelOptions has no property '{propertyName}': " +
                    "add the option to SequenceModelOptions (or rebuild the native library from the same sources).");
            }
            CheckType(name, (Kind)kind, (int)bytes, property);
            fields.Add(new Field(name, (int)offset, (int)bytes, (Kind)kind, property));
        }
        if (properties.Count > 0)
        {
            throw new SeqClassifyException(
                $"SequenceModelOptions.{properties.Keys.First()} has no field '{SnakeCase(properties.Keys.First())}' in the native library's sc_model_config: " +
                "add it to SC_MODEL_CONFIG_FIELDS in native/abi/sc_model.h and use it in the engine (or rebuild the native library from the same sources).");
        }
        if (structSizeOffset < 0 || versionOffset < 0) throw new SeqClassifyException("The native library's sc_model_config has no struct_size or version field.");
        return new ConfigLayout((int)size, fields.ToArray(), structSizeOffset, versionOffset);
    }

    private static void CheckType(string name, Kind kind, int size, PropertyInfo property)
    {
        Type type = property.PropertyType;
        bool fits = kind switch
        {
            Kind.Pointer => type == typeof(float[]),
            Kind.Float => (type == typeof(float) && size == 4) || (type == typeof(double) && size == 8),
            Kind.Int when size == 4 => type == typeof(bool) || type.IsEnum || type == typeof(int),
            Kind.Int or Kind.UInt => size == 8 && (type == typeof(int) || type == typeof(long)),
            _ => false,
        };
        if (!fits)
        {
            throw new SeqClassifyException($"sc_model_config's '{name}' ({kind}, {size} bytes) cannot hold SequenceModelOptions.{property.Name} ({type.Name}).");
        }
    }

    // hidden_size -> HiddenSize, adam_beta1 -> AdamBeta1.
    private static string PascalCase(string snake) =>
        string.Concat(snake.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    private static string SnakeCase(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
