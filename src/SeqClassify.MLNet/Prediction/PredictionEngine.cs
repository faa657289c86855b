using SeqClassify.MLNet.Data;

namespace SeqClassify.MLNet.Prediction;

/// <summary>
/// Predicts with a fitted model on objects: <typeparamref name="TSrc"/>'s members are the input
/// columns, <typeparamref name="TDst"/>'s members are read from the output columns by name.
/// Thread-safe; a batch call scores all its rows together, which is much faster than one by one.
/// </summary>
public sealed class PredictionEngine<TSrc, TDst> where TSrc : class where TDst : class, new()
{
    private readonly MLContext _context;
    private readonly ITransformer _model;
    private readonly RowBinding<TDst> _output;

    internal PredictionEngine(MLContext context, ITransformer model)
    {
        _context = context;
        _model = model;
        var inputSchema = ObjectColumns<TSrc>.Instance.Schema;
        // Checked once here: a missing input column or an unreadable output fails now, not per call.
        _output = RowBinding<TDst>.Create(model.GetOutputSchema(inputSchema));
    }

    /// <summary>The prediction for one example.</summary>
    public TDst Predict(TSrc example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return Predict([example])[0];
    }

    /// <summary>Predictions for many examples, in order.</summary>
    public IReadOnlyList<TDst> Predict(IEnumerable<TSrc> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var view = _context.Data.LoadFromEnumerable(examples.ToList());
        return _model.Transform(view).GetRows().Select(_output.Read).ToList();
    }
}
