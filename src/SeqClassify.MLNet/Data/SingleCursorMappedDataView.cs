using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace SeqClassify.MLNet.Data;

/// <summary>
/// The input's columns plus those of a row mapper, read through exactly one cursor, even when a
/// cursor set is asked for. ML.NET's own RowToRowMapperTransform splits a cursor between threads,
/// each numbering its rows from 0; the classifier's mapper instead scores rows in batches on a
/// look-ahead cursor, which needs the rows in order, and its native model already uses every core.
/// Output columns with an input column's name hide it, as in ML.NET (ColumnBindings).
/// It is a step of the chain ML.NET's ONNX converter walks back (ITransformCanSaveOnnx, with its
/// input as Source), as RowToRowMapperTransform is, and exports as its mapper does.
/// </summary>
internal sealed class SingleCursorMappedDataView : IDataView, ITransformCanSaveOnnx
{
    private readonly IDataView _input;
    private readonly IRowMapper _mapper;
    private readonly ColumnBindings _bindings;

    public SingleCursorMappedDataView(IDataView input, IRowMapper mapper)
    {
        _input = input;
        _mapper = mapper;
        _bindings = new ColumnBindings(input.Schema, mapper.GetOutputColumns());
    }

    public IDataView Source => _input;

    public bool CanSaveOnnx(OnnxContext ctx) => _mapper is ICanSaveOnnx onnx && onnx.CanSaveOnnx(ctx);

    public void SaveAsOnnx(OnnxContext ctx) => ((ISaveAsOnnx)_mapper).SaveAsOnnx(ctx);

    /// <summary>The mapper's transformer's model (ML.NET saves a data transform's steps this way).</summary>
    public void Save(ModelSaveContext ctx) => _mapper.Save(ctx);

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _bindings.Schema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded) active[column.Index] = true;
        Func<int, bool> activeOutput = i => active[_bindings.AddedColumnIndices[i]];
        var passThrough = _bindings.GetActiveInput(c => active[c]);
        var dependencies = _mapper.GetDependencies(activeOutput);
        var inputColumns = _input.Schema.Where(c => passThrough[c.Index] || dependencies(c.Index));
        var input = _input.GetRowCursor(inputColumns, rand);
        var getters = _mapper.CreateGetters(input, activeOutput, out var disposer);
        return new Cursor(this, input, getters, active, disposer);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(SingleCursorMappedDataView parent, DataViewRowCursor input, Delegate[] getters, bool[] active, Action? disposer)
        : DataViewRowCursor
    {
        public override DataViewSchema Schema => parent.Schema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override bool MoveNext() => input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not asked for when this cursor was made.");
            }
            int index = parent._bindings.MapColumnIndex(out bool isInput, column.Index);
            if (isInput)
            {
                return input.GetGetter<TValue>(input.Schema[index]);
            }
            return getters[index] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                disposer?.Invoke();
                input.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
