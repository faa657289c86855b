namespace SeqClassify.Cli;

/// <summary>The command line asks for something impossible: exit code 2, one line on stderr.</summary>
internal sealed class UsageException(string message) : Exception(message);
