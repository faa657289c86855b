using System.Text.Json;

namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// A Hugging Face config.json, read once: typed getters that name the file and the key of anything
/// missing or out of range, and the model's labels (id2label).
/// </summary>
internal sealed class HuggingFaceConfig
{
    private readonly JsonElement _root;

    private HuggingFaceConfig(JsonElement root, string path)
    {
        _root = root;
        Path = path;
    }

    /// <summary>The config.json it was read from, for messages.</summary>
    public string Path { get; }

    public static HuggingFaceConfig Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path, StrictUtf8));
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"'{path}' is not a JSON object.");
            return new HuggingFaceConfig(document.RootElement.Clone(), path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}");
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new InvalidDataException($"'{path}' is not UTF-8 text (an invalid byte at offset {e.Index}).");
        }
    }

    /// <summary>UTF-8 that refuses invalid bytes rather than replacing them (the files of a model folder are UTF-8).</summary>
    internal static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public bool Has(string name) => _root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string Text(string name) =>
        _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!
            : throw new InvalidDataException($"'{Path}' has no string \"{name}\".");

    public int Integer(string name, int low, int high)
    {
        if (!_root.TryGetProperty(name, out var value))
        {
            throw new InvalidDataException($"'{Path}' has no integer \"{name}\".");
        }
        // "16" (a string) or 16.5 is a mistake to name, not a JsonElement exception ("requires an element of type 'Number'").
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
        {
            throw new InvalidDataException($"'{Path}': \"{name}\" is {value.GetRawText()}, expected an integer.");
        }
        if (number < low || number > high) throw new InvalidDataException($"'{Path}': {name} {number} is outside {low}..{high:N0}.");
        return (int)number;
    }

    public double Number(string name) =>
        !_root.TryGetProperty(name, out var value) ? throw new InvalidDataException($"'{Path}' has no number \"{name}\".")
        : value.ValueKind == JsonValueKind.Number ? value.GetDouble()
        : throw new InvalidDataException($"'{Path}': \"{name}\" is {value.GetRawText()}, expected a number.");

    /// <summary>A probability in [0, 1), e.g. a dropout rate.</summary>
    public float Probability(string name)
    {
        double p = Number(name);
        return p >= 0 && p < 1 ? (float)p : throw new InvalidDataException($"'{Path}': {name} {p} is outside [0, 1).");
    }

    /// <summary>
    /// id2label's names in id order (ids 0..count-1, each once), as a fine-tuned checkpoint's config
    /// gives its classes; null when the config has none.
    /// </summary>
    public string[]? Labels(int count)
    {
        if (!_root.TryGetProperty("id2label", out var map) || map.ValueKind != JsonValueKind.Object) return null;
        var names = new string?[count];
        foreach (var entry in map.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, out int id) || id < 0 || id >= count)
            {
                throw new InvalidDataException($"'{Path}': id2label has id \"{entry.Name}\"; the classifier has {count} classes (ids 0..{count - 1}).");
            }
            names[id] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()
                : throw new InvalidDataException($"'{Path}': id2label[\"{entry.Name}\"] is not a string.");
        }
        int missing = Array.IndexOf(names, null);
        if (missing >= 0) throw new InvalidDataException($"'{Path}': id2label has no name for class {missing} of the classifier's {count}.");
        if (names.Distinct(StringComparer.Ordinal).Count() != count) throw new InvalidDataException($"'{Path}': id2label names a class twice.");
        return names!;
    }
}
