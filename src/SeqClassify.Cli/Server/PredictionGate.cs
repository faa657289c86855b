namespace SeqClassify.Cli.Server;

/// <summary>
/// Bounds the prediction work in flight, as ASP.NET Core's concurrency limiter does: a request is
/// admitted on arrival if fewer than <c>running + queued</c> requests are in the server, else refused
/// (the caller answers 503 with Retry-After); an admitted request reads its body, then waits its turn
/// to be scored by one of <c>running</c> slots, first come first served. Admission comes before the
/// body is read so that a queued request's body counts against the bound too.
/// </summary>
internal sealed class PredictionGate(int running, int queued)
{
    private readonly SemaphoreSlim _slots = new(running, running);
    private readonly int _capacity = running + queued;
    private int _admitted;

    /// <summary>Requests in the server now: scoring, waiting, or having their answer written.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>Admits a request, or returns null when the server already holds as many as it may.</summary>
    public Admission? TryAdmit()
    {
        if (Interlocked.Increment(ref _admitted) > _capacity)
        {
            Interlocked.Decrement(ref _admitted);
            return null;
        }
        return new Admission(this);
    }

    /// <summary>A request inside the server: dispose it when its answer is written.</summary>
    public sealed class Admission(PredictionGate gate) : IDisposable
    {
        private bool _scoring;
        private bool _disposed;

        /// <summary>Waits for a scoring slot (cancelled when the client goes away).</summary>
        public async Task WaitToScoreAsync(CancellationToken aborted)
        {
            await gate._slots.WaitAsync(aborted);
            _scoring = true;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (_scoring) gate._slots.Release();
            Interlocked.Decrement(ref gate._admitted);
        }
    }
}
