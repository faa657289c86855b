namespace SeqClassify.MLNet.Data;

/// <summary>Names the data-view column a property or field maps to (default: its own name).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ColumnNameAttribute(string name) : Attribute
{
    /// <summary>The column name.</summary>
    public string Name { get; } = name;
}

/// <summary>The 0-based source column in a text file that a property or field is loaded from.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class LoadColumnAttribute(int index) : Attribute
{
    /// <summary>The source column index.</summary>
    public int Index { get; } = index;
}

/// <summary>Leaves a property or field out of the data view.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class NoColumnAttribute : Attribute;
