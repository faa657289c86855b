using SeqClassify.MLNet.Data;

namespace SeqClassify.MLNet;

/// <summary>Estimators applied in order; fitting fits each on the output of the ones before it.</summary>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly IReadOnlyList<IEstimator<ITransformer>> _estimators;

    internal EstimatorChain(IReadOnlyList<IEstimator<ITransformer>> estimators) => _estimators = estimators;

    /// <summary>A chain with one more estimator at the end.</summary>
    public EstimatorChain<TNew> Append<TNew>(IEstimator<TNew> estimator) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNew>([.. _estimators, estimator]);
    }

    /// <inheritdoc />
    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);  // fail on a missing column before any step trains
        var fitted = new List<ITransformer>();
        IDataView current = input;
        foreach (var estimator in _estimators)
        {
            var transformer = estimator.Fit(current);
            fitted.Add(transformer);
            current = transformer.Transform(current);
        }
        return new TransformerChain<TLastTransformer>(fitted);
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        _estimators.Aggregate(inputSchema, (schema, estimator) => estimator.GetOutputSchema(schema));
}

/// <summary>Fitted steps applied in order; <see cref="LastTransformer"/> is usually the model.</summary>
public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>
    where TLastTransformer : class, ITransformer
{
    internal TransformerChain(IReadOnlyList<ITransformer> transformers) => Transformers = transformers;

    /// <summary>The steps in order.</summary>
    public IReadOnlyList<ITransformer> Transformers { get; }

    /// <summary>A chain with one more fitted step at the end.</summary>
    public TransformerChain<TNew> Append<TNew>(TNew transformer) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return new TransformerChain<TNew>([.. Transformers, transformer]);
    }

    /// <summary>The last step (for example the trained model, with its training history).</summary>
    public TLastTransformer LastTransformer => (TLastTransformer)Transformers[^1];

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        Transformers.Aggregate(inputSchema, (schema, t) => t.GetOutputSchema(schema));

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        return Transformers.Aggregate(input, (data, t) => t.Transform(data));
    }

    /// <inheritdoc />
    public IEnumerator<ITransformer> GetEnumerator() => Transformers.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Append on any estimator, as in ML.NET.</summary>
public static class EstimatorExtensions
{
    /// <summary>Chains <paramref name="next"/> after <paramref name="first"/>.</summary>
    public static EstimatorChain<TNext> Append<TFirst, TNext>(this IEstimator<TFirst> first, IEstimator<TNext> next)
        where TFirst : class, ITransformer where TNext : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(next);
        return new EstimatorChain<TNext>([first, next]);
    }
}
