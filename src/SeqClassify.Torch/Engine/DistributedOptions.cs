using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SeqClassify.Torch;

/// <summary>
/// Where and how one rank joins a data-parallel <see cref="ProcessGroup"/>: the settings PyTorch's
/// launchers (torchrun, SLURM scripts, Kubernetes jobs) pass as the environment variables
/// <c>MASTER_ADDR</c>, <c>MASTER_PORT</c>, <c>WORLD_SIZE</c>, <c>RANK</c> and <c>LOCAL_RANK</c>
/// (<see cref="FromEnvironment"/>). Every rank gives the same address, port and world size.
/// </summary>
public sealed class DistributedOptions
{
    /// <summary>The environment variables <see cref="FromEnvironment"/> reads, PyTorch's names.</summary>
    public const string MasterAddressVariable = "MASTER_ADDR", MasterPortVariable = "MASTER_PORT",
        WorldSizeVariable = "WORLD_SIZE", RankVariable = "RANK", LocalRankVariable = "LOCAL_RANK";

    /// <summary>The environment variable <see cref="FromEnvironment"/> reads <see cref="Token"/> from (SeqClassify's own).</summary>
    public const string TokenVariable = "SEQCLASSIFY_DIST_TOKEN";

    /// <summary>PyTorch's default rendezvous port.</summary>
    public const int DefaultMasterPort = 29500;

    /// <summary>PyTorch's default collective timeout (init_process_group's 30 minutes).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Rank 0's address (IPv4 or a host name), which serves the rendezvous store.</summary>
    public string MasterAddress { get; set; } = "127.0.0.1";

    /// <summary>The rendezvous store's TCP port on rank 0.</summary>
    public int MasterPort { get; set; } = DefaultMasterPort;

    /// <summary>Ranks (processes) in all.</summary>
    public int WorldSize { get; set; } = 1;

    /// <summary>This process's rank, in [0, <see cref="WorldSize"/>); rank 0 serves the store and writes the model.</summary>
    public int Rank { get; set; }

    /// <summary>This process's rank among those on its machine (informational: the engine uses the CPU, not a device per rank).</summary>
    public int LocalRank { get; set; }

    /// <summary>
    /// How long the rendezvous and each collective wait for the other ranks before failing with a
    /// <see cref="DistributedTrainingException"/> naming those that did not answer.
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// The run's secret: rank 0's store admits only processes that present the same token, so that
    /// nobody else who can reach the port joins the group. <c>seqclassify train --nproc</c> draws a
    /// random one for its workers; for ranks on several machines, give every rank the same value
    /// (<see cref="TokenVariable"/>). Null or empty: no token (anyone who reaches the port may join).
    /// </summary>
    public string? Token { get; set; }

    /// <summary>A random token (32 hex digits from a cryptographic generator), for a launcher to give its ranks.</summary>
    public static string NewToken() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Every this many training steps, check (a collective) that every rank's parameters are identical
    /// and fail if not; 0 = only once, after training. A debugging aid: each check reads every parameter.
    /// </summary>
    public int ReplicaCheckInterval { get; set; }

    /// <summary>
    /// The settings of a process started by a launcher: null when <c>WORLD_SIZE</c> is not set (not a
    /// distributed run); otherwise <c>WORLD_SIZE</c>, <c>RANK</c> (required), <c>MASTER_ADDR</c> and
    /// <c>MASTER_PORT</c> (defaults 127.0.0.1 and 29500), <c>LOCAL_RANK</c> (default 0), and
    /// <c>SEQCLASSIFY_DIST_TOKEN</c> (default: none).
    /// </summary>
    public static DistributedOptions? FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary><see cref="FromEnvironment"/> over any source of variables (for tests and launchers).</summary>
    public static DistributedOptions? FromVariables(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (string.IsNullOrEmpty(variable(WorldSizeVariable))) return null;
        int Integer(string name, int? fallback)
        {
            string? text = variable(name);
            if (string.IsNullOrEmpty(text))
            {
                return fallback ?? throw new ArgumentException($"{name} is not set, but {WorldSizeVariable} is: every rank needs its {name}.", name);
            }
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new ArgumentException($"{name} must be an integer, got '{text}'.", name);
        }
        var options = new DistributedOptions
        {
            WorldSize = Integer(WorldSizeVariable, null),
            Rank = Integer(RankVariable, null),
            LocalRank = Integer(LocalRankVariable, 0),
            MasterPort = Integer(MasterPortVariable, DefaultMasterPort),
            MasterAddress = variable(MasterAddressVariable) is { Length: > 0 } address ? address : "127.0.0.1",
            Token = variable(TokenVariable) is { Length: > 0 } token ? token : null,
        };
        options.Validate();
        return options;
    }

    /// <summary>Checks every setting; throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(MasterAddress)) throw new ArgumentOutOfRangeException(nameof(MasterAddress), MasterAddress, "MasterAddress must name rank 0's host.");
        if (MasterPort is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(MasterPort), MasterPort, $"MasterPort must be in [1, 65535], got {MasterPort}.");
        if (WorldSize < 1) throw new ArgumentOutOfRangeException(nameof(WorldSize), WorldSize, $"WorldSize must be at least 1, got {WorldSize}.");
        if (Rank < 0 || Rank >= WorldSize) throw new ArgumentOutOfRangeException(nameof(Rank), Rank, $"Rank must be in [0, {WorldSize}) for WorldSize {WorldSize}, got {Rank}.");
        if (LocalRank < 0) throw new ArgumentOutOfRangeException(nameof(LocalRank), LocalRank, $"LocalRank must be >= 0, got {LocalRank}.");
        if (Timeout <= TimeSpan.Zero || Timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout must be positive and under 24 days.");
        }
        if (ReplicaCheckInterval < 0) throw new ArgumentOutOfRangeException(nameof(ReplicaCheckInterval), ReplicaCheckInterval, "ReplicaCheckInterval must be >= 0.");
    }

    /// <summary>
    /// A TCP port free on loopback now, for a rendezvous of ranks on one machine (a local launcher, tests).
    /// Another process could take it before rank 0 does; rank 0 then fails saying the port is in use.
    /// </summary>
    public static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A copy (the group keeps its own).</summary>
    public DistributedOptions Clone() => (DistributedOptions)MemberwiseClone();
}
