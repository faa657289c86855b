using System.CommandLine;
using System.Globalization;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Distributed;

/// <summary>
/// train's distributed options: --nproc (this process launches local workers) or --world-size/--rank/--master
/// (this process is one rank), else the launchers' environment variables (DistributedOptions.FromEnvironment).
/// </summary>
internal sealed class DistributedCliOptions
{
    public const string NprocName = "--nproc";

    private readonly Option<int?> _nproc = new(NprocName)
    {
        Description = "Train with N local worker processes (data-parallel over Gloo on loopback), the cores divided between them.",
    };
    private readonly Option<int?> _worldSize = new("--world-size") { Description = "Distributed: processes in all (one per machine); with --rank and --master." };
    private readonly Option<int?> _rank = new("--rank") { Description = "Distributed: this process's rank in [0, --world-size); rank 0 serves the rendezvous and writes the model." };
    private readonly Option<string> _master = new("--master") { Description = "Distributed: rank 0's ADDRESS:PORT (default 127.0.0.1:29500)." };
    private readonly Option<int?> _timeout = new("--dist-timeout")
    {
        Description = $"Distributed: seconds to wait for the other ranks, at the start and in each step, before failing (default {DistributedOptions.DefaultTimeout.TotalSeconds:0}).",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _nproc, _worldSize, _rank, _master, _timeout }) command.Options.Add(option);
    }

    /// <summary>How many local workers to launch (--nproc), or null.</summary>
    public int? LocalProcesses(ParseResult parse)
    {
        if (parse.GetValue(_nproc) is not { } n) return null;
        // Each worker gets at least one core: more would only share them (32 processes on 2 cores once started).
        if (n < 1 || n > Environment.ProcessorCount)
        {
            throw new UsageException($"--nproc must be between 1 and {Environment.ProcessorCount} (this machine's logical cores; each worker needs one), got {n}");
        }
        if (parse.GetValue(_worldSize) is not null || parse.GetValue(_rank) is not null || parse.GetValue(_master) is not null)
        {
            throw new UsageException("--nproc launches its own ranks: give it alone, or --world-size/--rank/--master for one rank");
        }
        if (DistributedOptions.FromEnvironment() is not null)
        {
            throw new UsageException($"--nproc launches its own ranks, but {DistributedOptions.WorldSizeVariable} is set: this process is already one rank");
        }
        return n;
    }

    /// <summary>
    /// This process's rank settings: from --world-size/--rank/--master, else from the environment
    /// (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK), else null (one process).
    /// </summary>
    public DistributedOptions? RankSettings(ParseResult parse)
    {
        int? worldSize = parse.GetValue(_worldSize), rank = parse.GetValue(_rank);
        string? master = parse.GetValue(_master);
        DistributedOptions? options;
        if (worldSize is null && rank is null && master is null)
        {
            try
            {
                options = DistributedOptions.FromEnvironment();
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"the distributed environment variables: {e.Message.Split(" (Parameter")[0]}");
            }
        }
        else
        {
            if (worldSize is null || rank is null) throw new UsageException("--world-size and --rank go together (and --master unless rank 0 is on 127.0.0.1:29500)");
            var (address, port) = master is null ? ("127.0.0.1", DistributedOptions.DefaultMasterPort) : Master(master);
            options = new DistributedOptions
            {
                WorldSize = worldSize.Value, Rank = rank.Value, MasterAddress = address, MasterPort = port,
                Token = Environment.GetEnvironmentVariable(DistributedOptions.TokenVariable) is { Length: > 0 } token ? token : null,
            };
        }
        if (options is not null) CheckResolvable(options.MasterAddress);
        if (parse.GetValue(_timeout) is not null)
        {
            if (options is null) throw new UsageException("--dist-timeout applies to distributed training: give --nproc, --world-size/--rank, or the launcher's environment variables");
            options.Timeout = Timeout(parse);
        }
        try
        {
            options?.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter")[0].Split('\n')[0]);
        }
        return options;
    }

    /// <summary>--dist-timeout, or the default.</summary>
    public TimeSpan Timeout(ParseResult parse)
    {
        if (parse.GetValue(_timeout) is not { } seconds) return DistributedOptions.DefaultTimeout;
        return seconds >= 1 ? TimeSpan.FromSeconds(seconds) : throw new UsageException($"--dist-timeout must be at least 1 second, got {seconds}");
    }

    // An unresolvable master is a mistake to say at once (the rendezvous would only time out).
    private static void CheckResolvable(string host)
    {
        try
        {
            System.Net.Dns.GetHostAddresses(host);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new UsageException($"the master address '{host}' cannot be resolved ({e.Message})");
        }
    }

    private static (string Address, int Port) Master(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new UsageException($"--master must be ADDRESS:PORT (e.g. 10.0.0.1:29500 or [::1]:29500, port in [1, 65535]), got '{text}'");
        }
        string address = text[..colon];
        // An IPv6 address is written in brackets before its port ([::1]:29500); the resolver takes it bare.
        return (address.StartsWith('[') && address.EndsWith(']') ? address[1..^1] : address, port);
    }
}
