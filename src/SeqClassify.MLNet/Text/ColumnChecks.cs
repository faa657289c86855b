using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.MLNet;

/// <summary>
/// Schema checks with ML.NET's messages: a missing column is <see cref="ArgumentOutOfRangeException"/>
/// and a column of the wrong type is <see cref="InvalidOperationException"/>, both naming the column.
/// </summary>
internal static class ColumnChecks
{
    public static DataViewSchema.Column Require(DataViewSchema schema, string name, string expected, Func<DataViewType, bool> accepts)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), name, $"Column '{name}' not found in the input; expected {expected}.");
        if (!accepts(column.Type))
        {
            throw new InvalidOperationException($"Column '{name}' is {column.Type}; expected {expected}.");
        }
        return column;
    }

    public static DataViewSchema.Column RequireText(DataViewSchema schema, string name) =>
        Require(schema, name, "Text (String)", t => t is TextDataViewType);

    public static DataViewSchema.Column RequireTokens(DataViewSchema schema, string name) =>
        Require(schema, name, "a vector of Text tokens (e.g. from TokenizeIntoWords)", t => t is VectorDataViewType { ItemType: TextDataViewType });

    public static void RequireName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{option} must name a column.", option);
        }
    }

    /// <summary>The same check on a schema shape, for GetOutputSchema of estimators.</summary>
    public static SchemaShape.Column Require(SchemaShape shape, string name, string expected, Func<SchemaShape.Column, bool> accepts)
    {
        if (!shape.TryFindColumn(name, out var column))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), name, $"Column '{name}' not found in the input; expected {expected}.");
        }
        if (!accepts(column))
        {
            throw new InvalidOperationException($"Column '{name}' is {column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}; expected {expected}.");
        }
        return column;
    }
}
