namespace SeqClassify.Cli.Server;

/// <summary>
/// What one request, and one connection, may ask of the server: larger requests get 413 or 400 with
/// a JSON error; a client that sends its headers slower than HeaderTimeoutSeconds is disconnected, its
/// body must arrive at Kestrel's minimum rate (240 bytes/s after a 5 s grace) and whole within
/// BodyTimeoutSeconds (else 408); a connection idle between requests is closed after
/// KeepAliveTimeoutSeconds; at most MaxConnections connections are open at once, and one more is
/// answered 503 with Retry-After at once and closed (<see cref="ConnectionLimit"/>).
/// The work in flight is bounded too (<see cref="PredictionGate"/>): at most MaxConcurrentPredictions
/// requests are scored at once, each in batches of at most BatchTokens padded tokens, and at most
/// MaxQueuedRequests more wait (their bodies read, at most MaxRequestBytes each); a request beyond
/// that is refused at once with 503 and Retry-After. So the server's memory is bounded by the limits,
/// not by how many clients come: about MaxConcurrentPredictions x BatchTokens x the model's bytes per
/// token, plus (MaxConnections + MaxQueuedRequests) x a few times MaxRequestBytes.
/// </summary>
internal sealed record ServerLimits(long MaxRequestBytes = 1 << 20, int MaxTexts = 256, int MaxTextLength = 20_000,
    double HeaderTimeoutSeconds = 10, int MaxConnections = 256, int MaxConcurrentPredictions = 2, int MaxQueuedRequests = 64,
    int BatchTokens = 16_384, double BodyTimeoutSeconds = 30, double KeepAliveTimeoutSeconds = 10)
{
    /// <summary>
    /// A body over MaxRequestBytes is read and thrown away up to this many bytes before the 413 is
    /// sent, so that a client that sends its whole body before reading the answer (Python's urllib)
    /// gets the answer, not a broken pipe; beyond it the connection is closed. Nothing is kept of it.
    /// </summary>
    public const long MaxDrainBytes = 64 << 20;

    /// <summary>The Retry-After (seconds) of a 503 when the queue is full.</summary>
    public const int RetryAfterSeconds = 1;
}
