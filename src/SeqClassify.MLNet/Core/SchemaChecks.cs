using SeqClassify.MLNet.Data;

namespace SeqClassify.MLNet;

/// <summary>Checks that a schema has the column a step reads, with messages that name it and what was expected.</summary>
internal static class SchemaChecks
{
    public static DataViewSchema.Column Require(DataViewSchema schema, string name, string expected, Func<DataViewType, bool> accepts)
    {
        var column = schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(
            nameof(name), name, $"Input column '{name}' not found; expected {expected}. Columns: {schema}.");
        if (!accepts(column.Type))
        {
            throw new ArgumentOutOfRangeException(nameof(name), name,
                $"Input column '{name}' has type {column.Type}; expected {expected}.");
        }
        return column;
    }

    public static DataViewSchema.Column RequireText(DataViewSchema schema, string name) =>
        Require(schema, name, "Text", t => t is TextDataViewType);

    public static DataViewSchema.Column RequireTokens(DataViewSchema schema, string name) =>
        Require(schema, name, "Vector<Text> (tokens)", t => t is VectorDataViewType { ItemType: TextDataViewType });

    public static void RequireName(string? name, string argument)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{argument} must name a column, got '{name}'.", argument);
        }
    }
}
