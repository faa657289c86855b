using System.Text.Json.Nodes;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Persistence;
using SeqClassify.MLNet.Prediction;

namespace SeqClassify.MLNet;

/// <summary>Saving and loading models, and prediction engines (ML.NET's ModelOperationsCatalog).</summary>
public sealed class ModelOperationsCatalog
{
    private readonly MLContext _context;

    internal ModelOperationsCatalog(MLContext context) => _context = context;

    /// <summary>
    /// Saves a fitted model (a transformer chain) and its input schema to one .zip, atomically:
    /// it is written to a temporary file beside <paramref name="filePath"/> and renamed over it
    /// only when complete, so a crash or an exception never leaves a half-written model.
    /// </summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        string full = Path.GetFullPath(filePath);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save the model: directory '{directory}' does not exist.");
        }
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                ModelArchive.Write(stream, model, inputSchema);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
            _context.WriteLog($"model saved to {full}", LogKind.Trace);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Saves a model to a stream (the caller owns the stream).</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);
        ModelArchive.Write(stream, model, inputSchema);
    }

    /// <summary>
    /// Loads a model saved by <see cref="Save(ITransformer, DataViewSchema, string)"/>. A file that is not a
    /// model, truncated, corrupted, of a newer format, or inconsistent throws
    /// <see cref="InvalidDataException"/> saying why.
    /// </summary>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"Model file '{filePath}' does not exist.", filePath);
        using var stream = File.OpenRead(filePath);
        return Load(stream, out inputSchema, filePath);
    }

    /// <summary>Loads a model from a stream.</summary>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema) => Load(stream, out inputSchema, "stream");

    /// <summary>
    /// The manifest of a saved model (format, versions, schemas, steps with their options and training
    /// history), checked but without loading the model itself.
    /// </summary>
    public JsonObject ReadManifest(string filePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"Model file '{filePath}' does not exist.", filePath);
        using var stream = File.OpenRead(filePath);
        return Guarded(filePath, () => ModelArchive.ReadManifest(stream));
    }

    private static ITransformer Load(Stream stream, out DataViewSchema inputSchema, string source)
    {
        var (model, schema, _) = Guarded(source, () => ModelArchive.Read(stream));
        inputSchema = schema;
        return model;
    }

    // Every way a bad file can fail becomes one exception type that names the file.
    private static T Guarded<T>(string source, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or SeqClassify.Torch.SeqClassifyException
                                      or ArgumentException or InvalidOperationException or FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"Model '{source}' cannot be loaded: {e.Message}", e);
        }
    }

    /// <summary>
    /// A prediction engine for single objects or batches. Thread-safe: one engine may be used from
    /// many threads at once (unlike ML.NET's), since it keeps no per-call state.
    /// </summary>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer model)
        where TSrc : class where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(model);
        return new PredictionEngine<TSrc, TDst>(_context, model);
    }
}
