using System.Reflection;

namespace SeqClassify.MLNet.Data;

/// <summary>The public fields and properties of a class that map to columns, and how to get and set them.</summary>
internal sealed class ObjectColumns<T>
{
    /// <summary>The members of T, found by reflection once per type.</summary>
    public static ObjectColumns<T> Instance { get; } = new();

    public sealed record Member(string ColumnName, DataViewType Type, int? LoadIndex, Func<T, object?> Get, Action<T, object?>? Set);

    private ObjectColumns()
    {
        var members = new List<Member>();
        foreach (var member in typeof(T).GetMembers(BindingFlags.Public | BindingFlags.Instance))
        {
            if (member.GetCustomAttribute<NoColumnAttribute>() is not null)
            {
                continue;
            }
            Type? type = null;
            Func<T, object?>? get = null;
            Action<T, object?>? set = null;
            if (member is PropertyInfo { CanRead: true } p && p.GetIndexParameters().Length == 0)
            {
                type = p.PropertyType;
                get = t => p.GetValue(t);
                set = p.CanWrite ? (t, v) => p.SetValue(t, v) : null;
            }
            else if (member is FieldInfo f)
            {
                type = f.FieldType;
                get = t => f.GetValue(t);
                set = f.IsInitOnly ? null : (t, v) => f.SetValue(t, v);
            }
            if (type is null)
            {
                continue;
            }
            var columnType = DataViewType.FromRawType(type) ?? throw new ArgumentException(
                $"{typeof(T).Name}.{member.Name} has type {type.Name}, which no column type holds (string, float, double, int, long, uint, bool, or arrays of them).");
            string name = member.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? member.Name;
            members.Add(new Member(name, columnType, member.GetCustomAttribute<LoadColumnAttribute>()?.Index, get!, set));
        }
        Members = members;
    }

    public IReadOnlyList<Member> Members { get; }

    public DataViewSchema Schema => _schema ??= new(Members.Select(m => (m.ColumnName, m.Type, (IReadOnlyList<string>?)null)));

    private DataViewSchema? _schema;
}
