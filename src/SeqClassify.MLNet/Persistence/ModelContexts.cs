using System.Text.Json.Nodes;

namespace SeqClassify.MLNet.Persistence;

/// <summary>A step that can be written into a model .zip.</summary>
internal interface ICanSaveModel
{
    /// <summary>The step's kind in the manifest; <see cref="TransformerRegistry"/> maps it back to a loader.</summary>
    string Kind { get; }

    void Save(ModelSaveContext context);
}

/// <summary>What one step writes: its options (JSON, into the manifest) and binary entries.</summary>
internal sealed class ModelSaveContext(string entryPrefix)
{
    public JsonObject Options { get; } = new();

    public Dictionary<string, byte[]> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a binary entry under this step's folder in the zip; returns the entry's full name.</summary>
    public string AddEntry(string name, byte[] bytes)
    {
        string full = entryPrefix + name;
        Entries[full] = bytes;
        return full;
    }
}

/// <summary>What one step reads back: its options and its entries.</summary>
internal sealed class ModelLoadContext(string kind, JsonObject options, string entryPrefix, Func<string, byte[]> readEntry)
{
    public string Kind { get; } = kind;

    public JsonObject Options { get; } = options;

    public byte[] ReadEntry(string name) => readEntry(entryPrefix + name);

    public T Get<T>(string option)
    {
        var node = Options[option] ?? throw new InvalidDataException($"Step '{Kind}' has no option '{option}' in the manifest.");
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Step '{Kind}' option '{option}' is not a {typeof(T).Name}: {node.ToJsonString()}.", e);
        }
    }

    public string[] GetStrings(string option) =>
        (Options[option] as JsonArray ?? throw new InvalidDataException($"Step '{Kind}' has no list '{option}' in the manifest."))
        .Select(n => n?.GetValue<string>() ?? throw new InvalidDataException($"Step '{Kind}' list '{option}' holds a null.")).ToArray();
}
