namespace SeqClassify.MLNet.Conversion;

/// <summary>Conversions between values and keys (ML.NET's ConversionsCatalog).</summary>
public sealed class ConversionCatalog
{
    internal ConversionCatalog(MLContext context) => Context = context;

    internal MLContext Context { get; }

    /// <summary>Maps string or integer labels to keys 1..K, learned from the data.</summary>
    public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName = null,
        KeyOrdinality keyOrdinality = KeyOrdinality.ByOccurrence) =>
        MapValueToKey(new ValueToKeyMappingOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, KeyOrdinality = keyOrdinality });

    /// <summary>Maps values to keys with full options.</summary>
    public ValueToKeyMappingEstimator MapValueToKey(ValueToKeyMappingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SchemaChecks.RequireName(options.OutputColumnName, nameof(options.OutputColumnName));
        return new ValueToKeyMappingEstimator(options);
    }

    /// <summary>Maps a key column back to its value names.</summary>
    public TrivialEstimator<KeyToValueMappingTransformer> MapKeyToValue(string outputColumnName, string? inputColumnName = null) =>
        new(new KeyToValueMappingTransformer(outputColumnName, inputColumnName ?? outputColumnName));
}
