using System.Diagnostics;
using System.Runtime.InteropServices;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Distributed;

/// <summary>
/// train --nproc N: starts N copies of this command as the ranks of one machine (the launchers'
/// environment variables on loopback, the cores divided between them unless --threads is given),
/// relays their output (rank 0's as is, the others' errors marked with their rank) and returns the
/// first failing rank's exit code, or 0. Cancelled (Ctrl+C, SIGTERM), it sends the workers SIGTERM,
/// which train takes as Ctrl+C: they stop together and rank 0 saves the best model so far.
/// </summary>
internal static partial class LocalLauncher
{
    // Not SIGINT: a process started in the background inherits SIGINT ignored, and .NET leaves it so.
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>How long the other ranks get, after one has failed, to fail too (they notice at once unless one hangs).</summary>
    private static readonly TimeSpan GraceAfterTimeout = TimeSpan.FromSeconds(30);

    public static int Run(IReadOnlyList<string> args, int processes, TimeSpan timeout, CliConsole console, CancellationToken cancel)
    {
        var workerArgs = WithoutOption(args, DistributedCliOptions.NprocName);
        int threads = Math.Max(1, Environment.ProcessorCount / processes);
        if (!args.Any(a => a == "--threads" || a.StartsWith("--threads=", StringComparison.Ordinal) || a.StartsWith("--threads:", StringComparison.Ordinal)))
        {
            workerArgs.AddRange(["--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        int port = DistributedOptions.FreeLoopbackPort();
        // The workers' store admits only processes that present this run's token.
        string token = DistributedOptions.NewToken();
        console.Out.WriteLine($"launching {processes} worker processes on this machine (rendezvous 127.0.0.1:{port}); rank 0 reports");
        var workers = new List<Process>();
        try
        {
            for (int rank = 0; rank < processes; rank++) workers.Add(Start(workerArgs, rank, processes, port, token, console));
            // A Ctrl+C in a terminal reaches the workers too (one process group); a signal sent to this process alone is passed on.
            using var interrupt = cancel.Register(() =>
            {
                foreach (var worker in workers) Kill(worker.Id, SigTerm);
            });
            return WaitForAll(workers, timeout + GraceAfterTimeout);
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (!worker.HasExited) worker.Kill(entireProcessTree: true);
                worker.Dispose();
            }
        }
    }

    private static int WaitForAll(List<Process> workers, TimeSpan afterFirstFailure)
    {
        int code = ExitCodes.Success;
        var running = new List<Process>(workers);
        DateTime? deadline = null;
        while (running.Count > 0)
        {
            var wait = deadline is { } d ? d - DateTime.UtcNow : Timeout.InfiniteTimeSpan;
            if (wait != Timeout.InfiniteTimeSpan && wait <= TimeSpan.Zero) break;  // the finally kills the stragglers
            int index = Task.WaitAny(running.Select(p => p.WaitForExitAsync()).ToArray(), wait);
            if (index < 0) break;
            var done = running[index];
            running.RemoveAt(index);
            done.WaitForExit();  // the last of its output
            if (done.ExitCode != ExitCodes.Success && code == ExitCodes.Success)
            {
                code = done.ExitCode;
                deadline = DateTime.UtcNow + afterFirstFailure;
            }
        }
        return code;
    }

    private static Process Start(List<string> args, int rank, int processes, int port, string token, CliConsole console)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable runs this process, to start the workers");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Run as `dotnet seqclassify.dll`: the workers are started the same way.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(LocalLauncher).Assembly.Location);
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment[DistributedOptions.MasterAddressVariable] = "127.0.0.1";
        start.Environment[DistributedOptions.MasterPortVariable] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment[DistributedOptions.WorldSizeVariable] = processes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment[DistributedOptions.RankVariable] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment[DistributedOptions.LocalRankVariable] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment[DistributedOptions.TokenVariable] = token;
        var process = new Process { StartInfo = start };
        string prefix = rank == 0 ? "" : $"[rank {rank}] ";
        process.OutputDataReceived += (_, e) => Relay(console.Out, prefix, e.Data);
        process.ErrorDataReceived += (_, e) => Relay(console.Error, prefix, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Relay(TextWriter writer, string prefix, string? line)
    {
        if (line is null) return;
        lock (writer) writer.WriteLine(prefix + line);
    }

    /// <summary>The arguments without <paramref name="name"/> and its value (as "--opt value", "--opt=value" or "--opt:value").</summary>
    internal static List<string> WithoutOption(IReadOnlyList<string> args, string name)
    {
        var kept = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == name) i++;
            else if (!args[i].StartsWith(name + "=", StringComparison.Ordinal) && !args[i].StartsWith(name + ":", StringComparison.Ordinal)) kept.Add(args[i]);
        }
        return kept;
    }

}
