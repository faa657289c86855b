using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Persistence;

namespace SeqClassify.MLNet;

/// <summary>
/// A transformer that adds (or replaces) columns computed from each row's other columns. The
/// result is lazy: rows are mapped as they are enumerated, in batches of <see cref="BatchSize"/>
/// so that a model can score many rows in one native call.
/// </summary>
public abstract class RowMappingTransformer : ITransformer, ICanSaveModel
{
    /// <summary>The columns this step adds, after checking that the input has what it reads.</summary>
    protected abstract IReadOnlyList<DataViewSchema.Column> AddedColumns(DataViewSchema inputSchema);

    /// <summary>A function mapping a batch of input rows to the added columns' values, one array per row.</summary>
    protected abstract Func<IReadOnlyList<DataViewRow>, object?[][]> Bind(DataViewSchema inputSchema);

    /// <summary>Rows mapped per call of the bound function.</summary>
    protected virtual int BatchSize => 1;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return inputSchema.With(AddedColumns(inputSchema));
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var added = AddedColumns(input.Schema);
        var output = input.Schema.With(added);
        int[] targets = added.Select(c => output[c.Name].Index).ToArray();
        return new MappedDataView(input, output, targets, Bind(input.Schema), BatchSize);
    }

    string ICanSaveModel.Kind => Kind;
    void ICanSaveModel.Save(ModelSaveContext context) => Save(context);

    /// <summary>The name this step is saved under in a model's manifest.</summary>
    internal abstract string Kind { get; }

    /// <summary>Writes this step's options and data.</summary>
    internal abstract void Save(ModelSaveContext context);

    private sealed class MappedDataView(IDataView input, DataViewSchema schema, int[] targets,
        Func<IReadOnlyList<DataViewRow>, object?[][]> map, int batchSize) : IDataView
    {
        public DataViewSchema Schema { get; } = schema;

        public long? GetRowCount() => input.GetRowCount();

        public IEnumerable<DataViewRow> GetRows()
        {
            var batch = new List<DataViewRow>(batchSize);
            foreach (var row in input.GetRows())
            {
                batch.Add(row);
                if (batch.Count == batchSize)
                {
                    foreach (var mapped in MapBatch(batch)) yield return mapped;
                    batch.Clear();
                }
            }
            foreach (var mapped in MapBatch(batch)) yield return mapped;
        }

        private IEnumerable<DataViewRow> MapBatch(List<DataViewRow> batch)
        {
            if (batch.Count == 0)
            {
                return [];
            }
            var added = map(batch);
            var rows = new DataViewRow[batch.Count];
            for (int i = 0; i < batch.Count; i++)
            {
                var values = new object?[Schema.Count];
                Array.Copy(batch[i].Values, values, batch[i].Values.Length);
                for (int c = 0; c < targets.Length; c++)
                {
                    values[targets[c]] = added[i][c];
                }
                rows[i] = new DataViewRow(Schema, batch[i].Position, values);
            }
            return rows;
        }
    }
}

/// <summary>An estimator with nothing to learn: Fit returns the transformer it was made with.</summary>
public sealed class TrivialEstimator<TTransformer>(TTransformer transformer) : IEstimator<TTransformer>
    where TTransformer : class, ITransformer
{
    /// <inheritdoc />
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => transformer.GetOutputSchema(inputSchema);
}
