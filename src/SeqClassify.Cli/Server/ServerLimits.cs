namespace SeqClassify.Cli.Server;

/// <summary>
/// What one request, and one connection, may ask of the server: larger requests get 413 or 400 with
/// a JSON error; a client that sends its headers slower than HeaderTimeoutSeconds is disconnected
/// (and its body must arrive at Kestrel's minimum rate, 240 bytes/s after a 5 s grace); at most
/// MaxConnections connections are open at once, further ones wait in the listen queue.
/// </summary>
internal sealed record ServerLimits(long MaxRequestBytes = 1 << 20, int MaxTexts = 256, int MaxTextLength = 20_000,
    double HeaderTimeoutSeconds = 10, int MaxConnections = 256)
{
    /// <summary>
    /// A body over MaxRequestBytes is read and thrown away up to this many bytes before the 413 is
    /// sent, so that a client that sends its whole body before reading the answer (Python's urllib)
    /// gets the answer, not a broken pipe; beyond it the connection is closed. Nothing is kept of it.
    /// </summary>
    public const long MaxDrainBytes = 64 << 20;
}
