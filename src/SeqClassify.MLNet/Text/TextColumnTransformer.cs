using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace SeqClassify.MLNet.Text;

/// <summary>
/// A transform that maps one Text column to one new column, value by value (tokenizers, text clean-up).
/// Subclasses say what the new column holds and how one text becomes it; this class does the schema,
/// the row mapping and the saved column names.
/// </summary>
public abstract class TextColumnTransformer : RowToRowTransformerBase
{
    private protected TextColumnTransformer(IHostEnvironment env, string name, string outputColumnName, string? inputColumnName)
        : base(Contracts.CheckRef(env, nameof(env)).Register(name))
    {
        ColumnChecks.RequireName(outputColumnName, nameof(outputColumnName));
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName ?? outputColumnName;
    }

    /// <summary>Checks the saved step's version, then reads the column names written by <see cref="SaveColumns"/>.</summary>
    private protected TextColumnTransformer(IHostEnvironment env, string name, ModelLoadContext ctx, VersionInfo version)
        : base(Contracts.CheckRef(env, nameof(env)).Register(name))
    {
        ModelPayload.CheckVersion(ctx, version, version.LoaderSignature);
        OutputColumnName = ctx.Reader.ReadString();
        InputColumnName = ctx.Reader.ReadString();
    }

    /// <summary>The new column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The Text column it is made from.</summary>
    public string InputColumnName { get; }

    private protected abstract DataViewType OutputType { get; }

    /// <summary>
    /// Why ONNX Runtime cannot compute this column exactly as .NET does, and what to do instead: ML.NET's
    /// ONNX converter asks every step, and this one refuses with that reason (an exception naming the
    /// transformer) rather than export something that tokenizes differently.
    /// </summary>
    private protected abstract string OnnxRefusal { get; }

    /// <summary>A second Text column the new column is also made from (a sentence pair's), or null.</summary>
    private protected virtual string? SecondInputColumnName => null;

    /// <summary>A getter of the new column's value from both texts' getters, where <see cref="SecondInputColumnName"/> is set.</summary>
    private protected virtual Delegate MakeGetter(ValueGetter<ReadOnlyMemory<char>> input, ValueGetter<ReadOnlyMemory<char>> pair) =>
        throw new NotSupportedException($"{GetType().Name} reads one text column.");

    /// <summary>A getter of the new column's value from the input text's getter.</summary>
    private protected abstract Delegate MakeGetter(ValueGetter<ReadOnlyMemory<char>> input);

    /// <summary>Writes the step's version and column names; subclasses then write their own options.</summary>
    private protected void SaveColumns(ModelSaveContext ctx, VersionInfo version)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(version);
        ctx.Writer.Write(OutputColumnName);
        ctx.Writer.Write(InputColumnName);
    }

    /// <inheritdoc />
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>The output schema of an estimator whose transformer is this kind.</summary>
    internal static SchemaShape OutputShape(SchemaShape input, string outputColumnName, string inputColumnName, DataViewType outputType, string? pairColumnName = null)
    {
        ColumnChecks.Require(input, inputColumnName, "Text (String)", c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType is TextDataViewType);
        if (pairColumnName is not null)
        {
            ColumnChecks.Require(input, pairColumnName, "Text (String)", c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType is TextDataViewType);
        }
        var columns = input.ToDictionary(c => c.Name);
        columns[outputColumnName] = new SchemaShape.Column(outputColumnName,
            outputType is VectorDataViewType ? SchemaShape.Column.VectorKind.VariableVector : SchemaShape.Column.VectorKind.Scalar,
            outputType.GetItemType(), false);
        return new SchemaShape(columns.Values);
    }

    private sealed class Mapper(TextColumnTransformer parent, DataViewSchema schema) : MapperBase(parent.Host, schema, parent), ICanSaveOnnx
    {
        private readonly int _input = ColumnChecks.RequireText(schema, parent.InputColumnName).Index;
        private readonly int _pair = parent.SecondInputColumnName is { } pair ? ColumnChecks.RequireText(schema, pair).Index : -1;

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            [new DataViewSchema.DetachedColumn(parent.OutputColumnName, parent.OutputType)];

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var text = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[_input]);
            return _pair < 0 ? parent.MakeGetter(text) : parent.MakeGetter(text, input.GetGetter<ReadOnlyMemory<char>>(input.Schema[_pair]));
        }

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) =>
            column => (column == _input || column == _pair) && activeOutput(0);

        public override void SaveModel(ModelSaveContext ctx) => parent.SaveModel(ctx);

        public bool CanSaveOnnx(OnnxContext ctx) => throw new NotSupportedException(
            $"ONNX export: {parent.GetType().Name} (column '{parent.OutputColumnName}' from '{parent.InputColumnName}') cannot be exported: {parent.OnnxRefusal}");
    }
}
