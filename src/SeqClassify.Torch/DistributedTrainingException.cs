namespace SeqClassify.Torch;

/// <summary>
/// Distributed training failed because another rank of the <see cref="ProcessGroup"/> died, hung or
/// never joined; the message names the ranks that stopped answering. The group cannot be used again.
/// </summary>
public sealed class DistributedTrainingException : SeqClassifyException
{
    /// <summary>Creates the exception with a message.</summary>
    public DistributedTrainingException(string message) : base(message) { }
}
