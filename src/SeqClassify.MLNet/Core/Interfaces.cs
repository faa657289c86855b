using SeqClassify.MLNet.Data;

namespace SeqClassify.MLNet;

/// <summary>A fitted step that maps a data view to another, lazily (ML.NET's ITransformer).</summary>
public interface ITransformer
{
    /// <summary>The schema <see cref="Transform"/> would produce from an input of this schema; throws if the input does not fit.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>Applies the step. Nothing is computed until the result is enumerated.</summary>
    IDataView Transform(IDataView input);
}

/// <summary>An unfitted step: learns from data and returns a transformer (ML.NET's IEstimator).</summary>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Learns the step from <paramref name="input"/>.</summary>
    TTransformer Fit(IDataView input);

    /// <summary>The schema the fitted transformer would produce, checked without fitting.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);
}
