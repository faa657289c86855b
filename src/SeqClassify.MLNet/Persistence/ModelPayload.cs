using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;

namespace SeqClassify.MLNet;

/// <summary>
/// The binary entries SeqClassify steps write into ML.NET's model .zip (vocabulary, label names,
/// weights, training history): each one length-prefixed and SHA-256-checked, so that a truncated,
/// corrupted or bit-flipped entry is refused at load with the step and the entry named, never
/// turned into wrong predictions.
/// </summary>
internal static class ModelPayload
{
    private const uint Magic = 0x53435031; // "SCP1"

    public static void Write(ModelSaveContext ctx, string name, Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }
        byte[] bytes = buffer.ToArray();
        ctx.SaveBinaryStream(EntryName(name), writer =>
        {
            writer.Write(Magic);
            writer.Write(bytes.LongLength);
            writer.Write(SHA256.HashData(bytes));
            writer.Write(bytes);
        });
    }

    /// <summary>Reads an entry written by <see cref="Write"/>, refusing a missing, truncated or altered one.</summary>
    public static T Read<T>(ModelLoadContext ctx, string name, string step, Func<BinaryReader, T> read)
    {
        byte[] bytes = ReadBytes(ctx, name, step);
        using var payload = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        T result;
        try
        {
            result = read(payload);
        }
        catch (EndOfStreamException e)
        {
            throw Refuse(step, EntryName(name), "it ends early", e);
        }
        if (payload.BaseStream.Position != bytes.Length)
        {
            throw Refuse(step, EntryName(name), $"{bytes.Length - payload.BaseStream.Position} unread bytes");
        }
        return result;
    }

    /// <summary>The checked content of an entry written by <see cref="Write"/>, as written (e.g. a weights archive).</summary>
    public static byte[] ReadBytes(ModelLoadContext ctx, string name, string step)
    {
        string entry = EntryName(name);
        byte[]? bytes = null;
        bool found;
        try
        {
            found = ctx.TryLoadBinaryStream(entry, reader => bytes = ReadChecked(reader, step, entry));
        }
        catch (EndOfStreamException e)
        {
            throw Refuse(step, entry, "it ends early", e);
        }
        return found && bytes is not null ? bytes : throw Refuse(step, entry, "it is missing");
    }

    private static byte[] ReadChecked(BinaryReader reader, string step, string entry)
    {
        if (reader.ReadUInt32() != Magic)
        {
            throw Refuse(step, entry, "it is not a SeqClassify payload");
        }
        long length = reader.ReadInt64();
        long available = reader.BaseStream.CanSeek ? reader.BaseStream.Length - reader.BaseStream.Position - 32 : long.MaxValue;
        if (length < 0 || length > Array.MaxLength || length > available)
        {
            throw Refuse(step, entry, $"it declares {length} bytes, but {available} are there");
        }
        byte[] expected = reader.ReadBytes(32);
        byte[] bytes = reader.ReadBytes((int)length);
        if (bytes.Length != length)
        {
            throw Refuse(step, entry, $"it holds {bytes.Length} of its {length} bytes");
        }
        if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(expected))
        {
            throw Refuse(step, entry, "its SHA-256 checksum does not match its content (the file is corrupt)");
        }
        return bytes;
    }

    /// <summary>
    /// ML.NET's version check, with a message that says what to do: a step written by a newer SeqClassify
    /// (a format this one cannot read) names the writer's version and this one's. (ML.NET's own advice
    /// spoke of "ML.NET 1.0.0.0 or older".)
    /// </summary>
    public static void CheckVersion(ModelLoadContext ctx, VersionInfo version, string step)
    {
        if (ctx.Header.ModelVerReadable > version.VerWrittenCur)
        {
            string writer = WriterVersion(ctx);
            string reader = typeof(ModelPayload).Assembly.GetName().Version?.ToString() ?? "this version";
            throw new InvalidDataException($"SeqClassify step '{step}' of the model cannot be loaded: it was written by a newer SeqClassify ({writer}, " +
                                           $"format 0x{ctx.Header.ModelVerWritten:X8}) and SeqClassify {reader} reads this step up to format 0x{version.VerWrittenCur:X8}: update SeqClassify to load it.");
        }
        ctx.CheckAtModel(version);
    }

    /// <summary>The SeqClassify that wrote a step, as its Model.key names the loader's assembly: "SeqClassify 0.1.0.0 (format 0x00010003)".</summary>
    public static string Writer(ModelLoadContext ctx) => $"SeqClassify {WriterVersion(ctx)} (format 0x{ctx.Header.ModelVerWritten:X8})";

    private static string WriterVersion(ModelLoadContext ctx) =>
        ctx.LoaderAssemblyName is { Length: > 0 } name ? new System.Reflection.AssemblyName(name).Version?.ToString() ?? name : "of an unknown version";

    /// <summary>
    /// ML.NET's Model.key holds a step's own settings (column names, lower-casing, maximum lengths) as
    /// plain bytes that only the zip's CRC covers, which an edit recomputes: a one-byte change of a
    /// maximum length changed predictions with no error. Each step writes its settings again, as text, in
    /// a checksummed entry (Settings.bin), and <see cref="CheckSettings"/> compares them at load.
    /// </summary>
    public static void WriteSettings(ModelSaveContext ctx, params object?[] settings) =>
        Write(ctx, SettingsEntry, w => w.Write(Describe(settings)));

    /// <summary>
    /// Refuses a step whose Model.key settings differ from its checksummed copy; <paramref name="required"/>
    /// when the step's version writes one (older files have none and load as before).
    /// </summary>
    public static void CheckSettings(ModelLoadContext ctx, string step, bool required, params object?[] settings)
    {
        string entry = EntryName(SettingsEntry);
        byte[]? bytes = null;
        if (!ctx.TryLoadBinaryStream(entry, reader => bytes = ReadChecked(reader, step, entry)) || bytes is null)
        {
            if (required) throw Refuse(step, entry, "it is missing");
            return;
        }
        string saved;
        try
        {
            saved = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8).ReadString();
        }
        catch (EndOfStreamException e)
        {
            throw Refuse(step, entry, "it ends early", e);
        }
        string read = Describe(settings);
        if (saved != read)
        {
            throw Refuse(step, "Model.key", $"its settings ({read}) differ from their checksummed copy in {entry} ({saved}): the file was altered");
        }
    }

    private const string SettingsEntry = "Settings";

    // One line, values in order, each with its .NET type's invariant text.
    private static string Describe(object?[] settings) =>
        string.Join("; ", settings.Select(v => v switch
        {
            null => "null",
            string text => System.Text.Json.JsonSerializer.Serialize(text),
            IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => v.ToString(),
        }));

    public static InvalidDataException Refuse(string step, string entry, string problem, Exception? inner = null) =>
        new($"SeqClassify step '{step}' of the model cannot be loaded: entry '{entry}': {problem}.", inner);

    public static void WriteStrings(BinaryWriter writer, IReadOnlyList<string> strings)
    {
        writer.Write(strings.Count);
        foreach (var s in strings) writer.Write(s);
    }

    public static string[] ReadStrings(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        // Each string takes at least one byte: a larger count is a corrupt file, not a reason to allocate.
        if (count < 0 || count > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new InvalidDataException($"a list of {count} strings in {reader.BaseStream.Length} bytes");
        }
        var strings = new string[count];
        for (int i = 0; i < count; i++) strings[i] = reader.ReadString();
        return strings;
    }

    private static string EntryName(string name) => name + ".bin";
}
