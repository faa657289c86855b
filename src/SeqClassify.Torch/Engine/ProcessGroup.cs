using System.Text;
using SeqClassify.Torch.Interop;

namespace SeqClassify.Torch;

/// <summary>How <see cref="ProcessGroup.AllReduce(Span{long}, ReduceOperation)"/> combines the ranks' values.</summary>
public enum ReduceOperation
{
    /// <summary>The sum over ranks.</summary>
    Sum = 0,
    /// <summary>The smallest value.</summary>
    Min = 1,
    /// <summary>The largest value.</summary>
    Max = 2,
}

/// <summary>Time and volume of one rank's collectives so far.</summary>
/// <param name="Seconds">Time inside collectives, waiting for the other ranks included.</param>
/// <param name="Collectives">How many collectives ran.</param>
/// <param name="Bytes">Bytes this rank contributed to them.</param>
public readonly record struct CollectiveStatistics(double Seconds, long Collectives, long Bytes);

/// <summary>
/// One rank of a data-parallel training group over Gloo (the collective library of PyTorch's
/// DistributedDataParallel on CPU). Rank 0 serves the rendezvous store at
/// <see cref="DistributedOptions.MasterAddress"/>:<see cref="DistributedOptions.MasterPort"/> (listening
/// on that address only, and admitting only processes that present <see cref="DistributedOptions.Token"/>); the
/// constructor returns once all ranks have joined, or throws a <see cref="DistributedTrainingException"/>
/// after the timeout naming the ranks that did not. A model joins with
/// <see cref="SequenceClassifierModel.JoinProcessGroup"/>; the trainer takes the group in its options.
/// Every collective (the methods below, and the training steps of a joined model) must be called by
/// every rank in the same order; when another rank dies or hangs, it throws a
/// <see cref="DistributedTrainingException"/> naming that rank.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    /// <summary>
    /// Whether distributed training can run here: the engine's Gloo plugin was built (where Gloo's headers
    /// were installed: Debian's libgloo-dev) and loads (it needs Gloo's library: Debian's libgloo0). The
    /// plugin is loaded only when a group is made, so nothing else needs Gloo.
    /// </summary>
    public static bool IsAvailable => NativeMethods.sc_process_group_available() == 1;

    /// <summary>Joins the group; blocks until every rank has (rank 0 serves the store).</summary>
    public unsafe ProcessGroup(DistributedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options.Clone();
        byte[] address = Encoding.UTF8.GetBytes(options.MasterAddress + "\0");
        byte[] token = Encoding.UTF8.GetBytes((options.Token ?? "") + "\0");
        fixed (byte* addressPtr = address)
        fixed (byte* tokenPtr = token)
        {
            var config = new NativeProcessGroupConfig
            {
                StructSize = (uint)sizeof(NativeProcessGroupConfig),
                Version = NativeProcessGroupConfig.CurrentVersion,
                MasterAddress = addressPtr,
                MasterPort = options.MasterPort,
                WorldSize = options.WorldSize,
                Rank = options.Rank,
                TimeoutMs = (int)options.Timeout.TotalMilliseconds,
                Token = tokenPtr,
            };
            NativeStatus.ThrowIfFailed(NativeMethods.sc_process_group_create(in config, out var handle));
            Handle = handle;
        }
    }

    /// <summary>The settings the group was formed with.</summary>
    public DistributedOptions Options { get; }

    /// <summary>This process's rank.</summary>
    public int Rank => Options.Rank;

    /// <summary>Ranks in the group.</summary>
    public int WorldSize => Options.WorldSize;

    internal ProcessGroupHandle Handle { get; }

    /// <summary>A collective: each value becomes its reduction over every rank's, in place.</summary>
    public void AllReduce(Span<long> values, ReduceOperation operation) => AllReduce(values, NativeReduceType.Int64, operation);

    /// <inheritdoc cref="AllReduce(Span{long}, ReduceOperation)"/>
    public void AllReduce(Span<double> values, ReduceOperation operation) => AllReduce(values, NativeReduceType.Float64, operation);

    /// <inheritdoc cref="AllReduce(Span{long}, ReduceOperation)"/>
    public void AllReduce(Span<float> values, ReduceOperation operation) => AllReduce(values, NativeReduceType.Float32, operation);

    /// <summary>A collective that returns once every rank has entered it.</summary>
    public void Barrier() => NativeStatus.ThrowIfFailed(NativeMethods.sc_process_group_barrier(LiveHandle));

    /// <summary>This rank's collectives so far: time, count, bytes.</summary>
    public CollectiveStatistics Statistics
    {
        get
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_process_group_statistics(LiveHandle, out double seconds, out long collectives, out long bytes));
            return new CollectiveStatistics(seconds, collectives, bytes);
        }
    }

    /// <summary>Leaves the group (a model that joined it keeps it alive until the model is disposed).</summary>
    public void Dispose() => Handle.Dispose();

    private unsafe void AllReduce<T>(Span<T> values, NativeReduceType type, ReduceOperation operation) where T : unmanaged
    {
        if (!Enum.IsDefined(operation)) throw new ArgumentOutOfRangeException(nameof(operation), operation, "not a ReduceOperation");
        fixed (T* pointer = values)
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_process_group_all_reduce(LiveHandle, pointer, values.Length, (int)type, (int)operation));
        }
    }

    private ProcessGroupHandle LiveHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
            return Handle;
        }
    }
}
