using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqClassify.MLNet.Data;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Persistence;

/// <summary>
/// The model .zip: manifest.json (format version, library version, input and output schema, each
/// step's kind and options) and each step's entries under steps/N/ (vocabulary, weights).
/// </summary>
internal static class ModelArchive
{
    public const string Format = "SeqClassify.Model";
    public const int FormatVersion = 1;
    public const string ManifestEntry = "manifest.json";

    // Far above any real model, far below what would exhaust memory: refuse before reading.
    private const long MaxEntryBytes = 4L << 30;
    private const long MaxCompressionRatio = 1000;

    public static void Write(Stream stream, ITransformer model, DataViewSchema inputSchema)
    {
        var steps = Flatten(model);
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = FormatVersion,
            ["libraryVersion"] = typeof(ModelArchive).Assembly.GetName().Version?.ToString(),
            ["torchVersion"] = TorchRuntime.TorchVersion,
            ["createdUtc"] = DateTime.UtcNow.ToString("O"),
            ["inputSchema"] = SchemaText.Write(inputSchema),
            ["outputSchema"] = SchemaText.Write(model.GetOutputSchema(inputSchema)),
        };
        var stepNodes = new JsonArray();
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (int i = 0; i < steps.Count; i++)
        {
            if (steps[i] is not ICanSaveModel savable)
            {
                throw new InvalidOperationException($"Step {i} ({steps[i].GetType().Name}) cannot be saved.");
            }
            var context = new ModelSaveContext($"steps/{i}/");
            savable.Save(context);
            stepNodes.Add(new JsonObject
            {
                ["kind"] = savable.Kind,
                ["options"] = context.Options,
                ["entries"] = new JsonArray(context.Entries.Keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()),
            });
            foreach (var (name, bytes) in context.Entries) entries[name] = bytes;
        }
        manifest["steps"] = stepNodes;
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        WriteEntry(zip, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, new JsonSerializerOptions { WriteIndented = true }));
        foreach (var (name, bytes) in entries) WriteEntry(zip, name, bytes);
    }

    /// <summary>The manifest alone, checked (entries, format, version), without loading any step.</summary>
    public static JsonObject ReadManifest(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        return ReadManifest(zip);
    }

    private static JsonObject ReadManifest(ZipArchive zip)
    {
        foreach (var entry in zip.Entries) CheckEntry(entry);
        var manifest = JsonNode.Parse(ReadEntry(zip, ManifestEntry)) as JsonObject
            ?? throw new InvalidDataException("manifest.json is not a JSON object.");
        CheckVersion(manifest);
        return manifest;
    }

    public static (ITransformer Model, DataViewSchema InputSchema, JsonObject Manifest) Read(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var manifest = ReadManifest(zip);
        var inputSchema = SchemaText.Read(manifest["inputSchema"] as JsonArray);
        var steps = (manifest["steps"] as JsonArray ?? throw new InvalidDataException("The manifest lists no steps.")).ToList();
        var transformers = new List<ITransformer>();
        try
        {
            for (int i = 0; i < steps.Count; i++)
            {
                var step = steps[i] as JsonObject ?? throw new InvalidDataException($"Step {i} of the manifest is not an object.");
                string kind = step["kind"]?.GetValue<string>() ?? throw new InvalidDataException($"Step {i} has no kind.");
                var options = step["options"] as JsonObject ?? throw new InvalidDataException($"Step {i} ({kind}) has no options.");
                transformers.Add(TransformerRegistry.Load(new ModelLoadContext(kind, options, $"steps/{i}/", name => ReadEntry(zip, name))));
            }
            var chain = new TransformerChain<ITransformer>(transformers);
            chain.GetOutputSchema(inputSchema);  // the steps must fit together as saved
            return (chain, inputSchema, manifest);
        }
        catch
        {
            foreach (var t in transformers.OfType<IDisposable>()) t.Dispose();
            throw;
        }
    }

    private static void CheckVersion(JsonObject manifest)
    {
        if (manifest["format"]?.GetValue<string>() != Format)
        {
            throw new InvalidDataException($"Not a SeqClassify model: the manifest's format is '{manifest["format"]}', expected '{Format}'.");
        }
        int version = manifest["formatVersion"]?.GetValue<int>() ?? throw new InvalidDataException("The manifest has no formatVersion.");
        if (version > FormatVersion)
        {
            throw new InvalidDataException(
                $"Model format version {version} is newer than this library reads ({FormatVersion}); it was written by SeqClassify {manifest["libraryVersion"]}. Upgrade SeqClassify to load it.");
        }
        if (version < 1)
        {
            throw new InvalidDataException($"Model format version {version} is not a valid version.");
        }
    }

    private static void CheckEntry(ZipArchiveEntry entry)
    {
        string name = entry.FullName;
        if (name.StartsWith('/') || name.StartsWith('\\') || name.Contains(':') || name.Replace('\\', '/').Split('/').Contains(".."))
        {
            throw new InvalidDataException($"Entry name '{name}' would escape the model's directory.");
        }
        if (entry.Length > MaxEntryBytes || (entry.CompressedLength > 0 && entry.Length / entry.CompressedLength > MaxCompressionRatio))
        {
            throw new InvalidDataException($"Entry '{name}' declares an absurd size ({entry.Length} bytes from {entry.CompressedLength} compressed).");
        }
    }

    private static byte[] ReadEntry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"Entry '{name}' is missing from the model.");
        using var input = entry.Open();
        using var buffer = new MemoryStream((int)Math.Min(entry.Length, int.MaxValue));
        input.CopyTo(buffer);
        if (buffer.Length != entry.Length)
        {
            throw new InvalidDataException($"Entry '{name}' holds {buffer.Length} bytes; its header declares {entry.Length}.");
        }
        return buffer.ToArray();
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using var output = entry.Open();
        output.Write(bytes);
    }

    private static List<ITransformer> Flatten(ITransformer model) => model switch
    {
        IEnumerable<ITransformer> chain => chain.SelectMany(Flatten).ToList(),
        _ => [model],
    };
}
