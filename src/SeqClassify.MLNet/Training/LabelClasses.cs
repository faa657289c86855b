using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// The classes of a key label column: their names as text, and the type of the values the keys
/// were made from, so that PredictedLabel carries KeyValues of that same type and ML.NET's
/// MapKeyToValue gives back the user's own label values (strings, numbers or booleans).
/// </summary>
internal sealed class LabelClasses
{
    private LabelClasses(IReadOnlyList<string> names, Type valueType)
    {
        Names = names;
        ValueType = valueType;
    }

    /// <summary>Class names in key order (Score[i] is the probability of Names[i]).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The raw type of the label values (ReadOnlyMemory&lt;char&gt; for text).</summary>
    public Type ValueType { get; }

    public int Count => Names.Count;

    private static readonly Type[] NumberTypes =
        [typeof(float), typeof(double), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(bool)];

    /// <summary>Text classes with these names, in key order (a checkpoint's id2label).</summary>
    public static LabelClasses FromNames(IReadOnlyList<string> names) => new(names.ToArray(), typeof(ReadOnlyMemory<char>));

    /// <summary>The classes of a key column, or of a vector of keys (a multi-label column); keys without KeyValues are named "1".."n".</summary>
    public static LabelClasses FromKeyColumn(DataViewSchema.Column label)
    {
        int count = (int)((KeyDataViewType)label.Type.GetItemType()).Count;
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        if (keyValues?.Type is not VectorDataViewType { ItemType: PrimitiveDataViewType item })
        {
            return new LabelClasses(Enumerable.Range(1, count).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray(), typeof(ReadOnlyMemory<char>));
        }
        if (item is TextDataViewType)
        {
            VBuffer<ReadOnlyMemory<char>> text = default;
            label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref text);
            return new LabelClasses(text.DenseValues().Select(v => v.ToString()).ToArray(), typeof(ReadOnlyMemory<char>));
        }
        var read = typeof(LabelClasses).GetMethod(nameof(ReadValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(item.RawType);
        var names = (string[])read.Invoke(null, [label])!;
        // Other value types (dates, ...) are kept as their text; MapKeyToValue then yields text.
        return new LabelClasses(names, NumberTypes.Contains(item.RawType) ? item.RawType : typeof(ReadOnlyMemory<char>));
    }

    private static string[] ReadValues<T>(DataViewSchema.Column label)
    {
        VBuffer<T> values = default;
        label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
        return values.DenseValues().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();
    }

    /// <summary>The KeyValues annotation of the predicted label, in the label values' own type.</summary>
    public void AddKeyValues(DataViewSchema.Annotations.Builder builder)
    {
        if (ValueType == typeof(ReadOnlyMemory<char>))
        {
            AddTyped(builder, TextDataViewType.Instance, Names.Select(n => n.AsMemory()).ToArray());
            return;
        }
        var add = typeof(LabelClasses).GetMethod(nameof(AddParsed), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(ValueType);
        add.Invoke(this, [builder]);
    }

    private void AddParsed<T>(DataViewSchema.Annotations.Builder builder) where T : IConvertible =>
        AddTyped(builder, ColumnTypeExtensions.PrimitiveTypeFromType(typeof(T)),
            Names.Select(n => (T)Convert.ChangeType(n, typeof(T), CultureInfo.InvariantCulture)).ToArray());

    private static void AddTyped<T>(DataViewSchema.Annotations.Builder builder, PrimitiveDataViewType itemType, T[] values) =>
        builder.Add(AnnotationUtils.Kinds.KeyValues, new VectorDataViewType(itemType, values.Length),
            (ref VBuffer<T> value) => value = new VBuffer<T>(values.Length, (T[])values.Clone()));

    /// <summary>The slot names of the score column: the class names as text.</summary>
    public void AddSlotNames(DataViewSchema.Annotations.Builder builder)
    {
        var names = Names.Select(n => n.AsMemory()).ToArray();
        builder.Add(AnnotationUtils.Kinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, names.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone()));
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(ValueType == typeof(ReadOnlyMemory<char>) ? "Text" : ValueType.Name);
        ModelPayload.WriteStrings(writer, Names);
    }

    public static LabelClasses Read(BinaryReader reader)
    {
        string typeName = reader.ReadString();
        var type = typeName == "Text" ? typeof(ReadOnlyMemory<char>)
            : NumberTypes.FirstOrDefault(t => t.Name == typeName) ?? throw new InvalidDataException($"label value type '{typeName}' is not one SeqClassify writes");
        return new LabelClasses(ModelPayload.ReadStrings(reader), type);
    }
}
