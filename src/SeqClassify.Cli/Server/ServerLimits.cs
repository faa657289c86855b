namespace SeqClassify.Cli.Server;

/// <summary>What one request may ask of the server; larger requests get 413 or 400 with a JSON error.</summary>
internal sealed record ServerLimits(long MaxRequestBytes = 1 << 20, int MaxTexts = 256, int MaxTextLength = 20_000);
