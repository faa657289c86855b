namespace SeqClassify.Cli.Server;

/// <summary>
/// Bounds the prediction work in flight, as ASP.NET Core's concurrency limiter does: a request whose
/// body has been read is admitted if fewer than <c>running + queued</c> requests are in the server,
/// else refused (the caller answers 503 with Retry-After); an admitted request waits its turn to be
/// scored by one of <c>running</c> slots, first come first served. Admission comes after the body, so
/// that a slow client never holds a place in the queue; bodies being read are bounded by the
/// connections (at most MaxConnections x MaxRequestBytes) and by the body deadline.
/// </summary>
internal sealed class PredictionGate(int running, int queued)
{
    private readonly SemaphoreSlim _slots = new(running, running);
    private readonly int _capacity = running + queued;
    private int _admitted;
    private int _reading;

    /// <summary>Requests in the server now: scoring, waiting, or having their answer written.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>Requests whose body is being read now (not admitted yet).</summary>
    public int ReadingBodies => Volatile.Read(ref _reading);

    /// <summary>Counts a request as reading its body until disposed.</summary>
    public IDisposable ReadingBody()
    {
        Interlocked.Increment(ref _reading);
        return new Reading(this);
    }

    private sealed class Reading(PredictionGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref gate._reading);
        }
    }

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
