using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

/// <summary>
/// The public enums against the library's own table of its enums (sc_model_enum_value, made from the
/// lists in native/model/sc_model_types.h): each C# member is the native value of the same name (Gru is
/// SC_CELL_GRU, ClsPooler SC_POOLING_CLS_POOLER) with the same number, and each native value has its
/// member. Checked once, when the library is first used; a difference is a build of mismatched sources.
/// </summary>
internal static class NativeEnums
{
    /// <summary>Each public enum the engine reads, with the native enum it is passed as.</summary>
    public static readonly IReadOnlyList<(Type Managed, string Native)> Pairs =
    [
        (typeof(SequenceEncoder), "sc_encoder"),
        (typeof(RnnCellType), "sc_cell"),
        (typeof(PositionalEncoding), "sc_positional"),
        (typeof(TransformerActivation), "sc_activation"),
        (typeof(SequencePooling), "sc_pooling"),
        (typeof(ModelOutput), "sc_output"),
        (typeof(SequenceTask), "sc_task"),
        (typeof(WindowPooling), "sc_window_pooling"),
    ];

    /// <summary>The library's values, by enum: name to number.</summary>
    public static Dictionary<string, Dictionary<string, int>> Published()
    {
        var all = new Dictionary<string, Dictionary<string, int>>();
        int count = NativeMethods.sc_model_enum_value_count();
        for (int i = 0; i < count; i++)
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_model_enum_value(i, out IntPtr enumeration, out IntPtr name, out int value));
            string key = Marshal.PtrToStringUTF8(enumeration)!;
            if (!all.TryGetValue(key, out var values)) all[key] = values = [];
            values[Marshal.PtrToStringUTF8(name)!] = value;
        }
        return all;
    }

    /// <summary>SC_CELL_ + RnnRelu = SC_CELL_RNN_RELU.</summary>
    public static string NativeName(string nativeEnum, string member) =>
        nativeEnum.ToUpperInvariant() + "_" + string.Concat(member.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));

    /// <summary>Throws naming every difference between the public enums and the library's.</summary>
    public static void Check()
    {
        var differences = Differences(Published());
        if (differences.Count > 0)
        {
            throw new SeqClassifyException($"The native library's enums differ from this assembly's ({string.Join("; ", differences)}): " +
                                           "the managed and native builds come from different sources; rebuild both.");
        }
    }

    /// <summary>Every difference between the public enums and a table of native values.</summary>
    public static List<string> Differences(IReadOnlyDictionary<string, Dictionary<string, int>> published)
    {
        var differences = new List<string>();
        foreach (var (managed, native) in Pairs)
        {
            var expected = Enum.GetValues(managed).Cast<object>().ToDictionary(v => NativeName(native, v.ToString()!), Convert.ToInt32);
            var actual = published.GetValueOrDefault(native) ?? [];
            foreach (var (name, value) in expected)
            {
                if (!actual.TryGetValue(name, out int nativeValue)) differences.Add($"{managed.Name}: the library has no {name}");
                else if (nativeValue != value) differences.Add($"{managed.Name}: {name} is {nativeValue} in the library, {value} here");
            }
            differences.AddRange(actual.Keys.Except(expected.Keys).Select(name => $"{managed.Name}: no member for the library's {name}"));
        }
        return differences;
    }
}
