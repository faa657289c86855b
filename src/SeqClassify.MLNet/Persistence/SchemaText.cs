using System.Text.Json.Nodes;
using SeqClassify.MLNet.Data;

namespace SeqClassify.MLNet.Persistence;

/// <summary>Writes a schema into a manifest and reads it back.</summary>
internal static class SchemaText
{
    public static JsonArray Write(DataViewSchema schema) =>
        new(schema.Select(c => (JsonNode?)new JsonObject { ["name"] = c.Name, ["type"] = c.Type.ToString() }).ToArray());

    public static DataViewSchema Read(JsonArray? columns)
    {
        if (columns is null) throw new InvalidDataException("The manifest has no input schema.");
        return new DataViewSchema(columns.Select(c =>
        {
            string name = c?["name"]?.GetValue<string>() ?? throw new InvalidDataException("A schema column has no name.");
            string type = c["type"]?.GetValue<string>() ?? throw new InvalidDataException($"Schema column '{name}' has no type.");
            return (name, ParseType(type), (IReadOnlyList<string>?)null);
        }));
    }

    private static DataViewType ParseType(string text) => text switch
    {
        "Text" => TextDataViewType.Instance,
        "Boolean" => BooleanDataViewType.Instance,
        "Single" => NumberDataViewType.Single,
        "Double" => NumberDataViewType.Double,
        "Int32" => NumberDataViewType.Int32,
        "Int64" => NumberDataViewType.Int64,
        "UInt32" => NumberDataViewType.UInt32,
        _ when text.StartsWith("Vector<", StringComparison.Ordinal) && text.EndsWith('>') => new VectorDataViewType(ParseType(text[7..^1])),
        _ when text.StartsWith("Key<UInt32, 0-", StringComparison.Ordinal) && text.EndsWith('>') && int.TryParse(text[14..^1], out int n) => new KeyDataViewType(n),
        _ => throw new InvalidDataException($"Unknown column type '{text}' in the manifest."),
    };
}
