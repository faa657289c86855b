using System.Text;
using SeqClassify.Torch.Interop;

namespace SeqClassify.Torch;

/// <summary>
/// One rank of a data-parallel training group over PyTorch's c10d with Gloo (the engine of PyTorch's
/// DistributedDataParallel on CPU). Rank 0 serves the rendezvous (a c10d TCPStore) at
/// <c>masterAddress:masterPort</c>; the constructor returns once all <c>worldSize</c> ranks have joined,
/// or throws after <c>timeout</c>. A model joins with <see cref="SequenceClassifierModel.JoinProcessGroup"/>.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    /// <summary>Whether this build of the engine has c10d with Gloo (built with Gloo's headers: Debian's libgloo-dev).</summary>
    public static bool IsAvailable => NativeMethods.sc_process_group_available() == 1;

    /// <summary>Joins the group; blocks until every rank has (rank 0 first serves the store).</summary>
    public unsafe ProcessGroup(string masterAddress, int masterPort, int worldSize, int rank, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(masterAddress);
        if (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive and under 24 days.");
        }
        byte[] address = Encoding.UTF8.GetBytes(masterAddress + "\0");
        fixed (byte* addressPtr = address)
        {
            var config = new NativeProcessGroupConfig
            {
                StructSize = (uint)sizeof(NativeProcessGroupConfig),
                Version = NativeProcessGroupConfig.CurrentVersion,
                MasterAddress = addressPtr,
                MasterPort = masterPort,
                WorldSize = worldSize,
                Rank = rank,
                TimeoutMs = (int)timeout.TotalMilliseconds,
            };
            NativeStatus.ThrowIfFailed(NativeMethods.sc_process_group_create(in config, out var handle));
            Handle = handle;
        }
        Rank = rank;
        WorldSize = worldSize;
    }

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>Ranks in the group.</summary>
    public int WorldSize { get; }

    internal ProcessGroupHandle Handle { get; }

    /// <summary>Leaves the group (a model that joined it keeps it alive until the model is disposed).</summary>
    public void Dispose() => Handle.Dispose();
}
