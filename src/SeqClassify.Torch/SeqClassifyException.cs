namespace SeqClassify.Torch;

/// <summary>
/// An engine failure that is neither a bad argument nor a bad state: an error raised inside
/// libtorch (its message is kept), or a serialized model that does not fit.
/// </summary>
public class SeqClassifyException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public SeqClassifyException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public SeqClassifyException(string message, Exception inner) : base(message, inner) { }
}
