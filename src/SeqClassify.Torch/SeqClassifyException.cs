namespace SeqClassify.Torch;

/// <summary>
/// An engine failure that is neither a bad argument nor a bad state: a serialized model that does
/// not fit, or an unexpected error inside the native engine (its message is kept).
/// </summary>
public class SeqClassifyException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public SeqClassifyException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public SeqClassifyException(string message, Exception inner) : base(message, inner) { }
}
