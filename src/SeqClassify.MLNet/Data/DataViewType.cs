namespace SeqClassify.MLNet.Data;

/// <summary>The type of a column, as in ML.NET: text, numbers, keys (1-based categories), vectors.</summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    /// <summary>The .NET type of one value of the column.</summary>
    public abstract Type RawType { get; }

    /// <inheritdoc />
    public abstract bool Equals(DataViewType? other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DataViewType);

    /// <inheritdoc />
    public override int GetHashCode() => ToString()!.GetHashCode(StringComparison.Ordinal);

    /// <summary>The type for a .NET type, or null when none fits.</summary>
    public static DataViewType? FromRawType(Type type) => type switch
    {
        _ when type == typeof(string) => TextDataViewType.Instance,
        _ when type == typeof(float) => NumberDataViewType.Single,
        _ when type == typeof(double) => NumberDataViewType.Double,
        _ when type == typeof(int) => NumberDataViewType.Int32,
        _ when type == typeof(long) => NumberDataViewType.Int64,
        _ when type == typeof(uint) => NumberDataViewType.UInt32,
        _ when type == typeof(bool) => BooleanDataViewType.Instance,
        { IsArray: true } when FromRawType(type.GetElementType()!) is { } item => new VectorDataViewType(item),
        _ => null,
    };
}

/// <summary>Text (string).</summary>
public sealed class TextDataViewType : DataViewType
{
    /// <summary>The single instance.</summary>
    public static TextDataViewType Instance { get; } = new();
    private TextDataViewType() { }
    /// <inheritdoc />
    public override Type RawType => typeof(string);
    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is TextDataViewType;
    /// <inheritdoc />
    public override string ToString() => "Text";
}

/// <summary>Boolean.</summary>
public sealed class BooleanDataViewType : DataViewType
{
    /// <summary>The single instance.</summary>
    public static BooleanDataViewType Instance { get; } = new();
    private BooleanDataViewType() { }
    /// <inheritdoc />
    public override Type RawType => typeof(bool);
    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is BooleanDataViewType;
    /// <inheritdoc />
    public override string ToString() => "Boolean";
}

/// <summary>A number: Single, Double, Int32, Int64 or UInt32.</summary>
public sealed class NumberDataViewType : DataViewType
{
    private NumberDataViewType(Type raw) => RawType = raw;
    /// <summary>float.</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float));
    /// <summary>double.</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double));
    /// <summary>int.</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int));
    /// <summary>long.</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long));
    /// <summary>uint.</summary>
    public static NumberDataViewType UInt32 { get; } = new(typeof(uint));
    /// <inheritdoc />
    public override Type RawType { get; }
    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is NumberDataViewType n && n.RawType == RawType;
    /// <inheritdoc />
    public override string ToString() => RawType.Name;
}

/// <summary>
/// A category index, as ML.NET's key type: uint values 1..Count, 0 meaning missing.
/// The category names travel as the column's <see cref="DataViewSchema.Column.KeyValues"/>.
/// </summary>
public sealed class KeyDataViewType(int count) : DataViewType
{
    /// <summary>Number of categories.</summary>
    public int Count { get; } = count;
    /// <inheritdoc />
    public override Type RawType => typeof(uint);
    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;
    /// <inheritdoc />
    public override string ToString() => $"Key<UInt32, 0-{Count}>";
}

/// <summary>A variable-length vector (an array) of items of one type; items may be vectors themselves.</summary>
public sealed class VectorDataViewType(DataViewType itemType) : DataViewType
{
    /// <summary>The type of each item.</summary>
    public DataViewType ItemType { get; } = itemType;
    /// <inheritdoc />
    public override Type RawType => ItemType.RawType.MakeArrayType();
    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is VectorDataViewType v && v.ItemType.Equals(ItemType);
    /// <inheritdoc />
    public override string ToString() => $"Vector<{ItemType}>";
}
