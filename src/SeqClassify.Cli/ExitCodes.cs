namespace SeqClassify.Cli;

/// <summary>What the process returns.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The command ran and failed: a missing file, bad data, a bad model.</summary>
    public const int Failure = 1;
    /// <summary>The command line itself is wrong.</summary>
    public const int Usage = 2;
    /// <summary>Interrupted (Ctrl+C) after saving the best model so far, as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
