using System.Runtime.InteropServices;

namespace SeqClassify.Cli;

/// <summary>
/// SIGINT and SIGTERM as one cancellation: the first asks the command to stop (training saves the best
/// model so far and exits 130); later ones while it stops are acknowledged and ignored, so that a
/// second Ctrl+C, or `timeout` signalling the process and its group, never kills a save half-way.
/// (System.CommandLine's own handler threw InvalidOperationException on the second signal: exit 134,
/// the model lost.) SIGKILL still stops the process at once; the saves are atomic, so nothing is left half-written.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly TextWriter _error;
    private int _received;

    public TerminationSignals(TextWriter error)
    {
        _error = error;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => _cancel.Token;

    private void Handle(PosixSignalContext context)
    {
        // The process goes on: the command ends by itself once it has stopped and saved.
        context.Cancel = true;
        if (Interlocked.Increment(ref _received) == 1)
        {
            lock (_error) _error.WriteLine($"{context.Signal}: stopping (training saves the best model so far); another signal is ignored, SIGKILL stops at once");
            _cancel.Cancel();
            return;
        }
        lock (_error) _error.WriteLine($"{context.Signal} again: still stopping and saving what there is; SIGKILL stops at once (saves are atomic).");
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _cancel.Dispose();
    }
}
