namespace SeqClassify.Cli;

/// <summary>A command-line word that names one of a few values (--cell gru, --encoder transformer, ...).</summary>
internal static class Choice
{
    /// <summary>
    /// The value whose name matches <paramref name="given"/> (any case, hyphens optional: multilabel is multi-label,
    /// as PyTorch's and fastText's tools spell it); a usage error listing the names otherwise.
    /// </summary>
    public static T Parse<T>(string option, string given, params (string Name, T Value)[] choices)
    {
        foreach (var (name, value) in choices)
        {
            if (name.Equals(given, StringComparison.OrdinalIgnoreCase) || name.Replace("-", "").Equals(given, StringComparison.OrdinalIgnoreCase)) return value;
        }
        var names = choices.Select(c => c.Name).ToList();
        string listed = names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
        throw new UsageException($"{option} must be {listed}, got '{given}'");
    }
}
