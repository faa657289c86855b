using System.CommandLine;
using System.Globalization;
using System.Reflection;

namespace SeqClassify.Cli;

/// <summary>
/// Command-line flags made from an options class's properties, a row each: the flag, the property it
/// sets, what it means. Everything else derives from the property, the one definition of the option:
/// the flag's type, the default and the choices the help shows, the parsing, the value written, and the
/// flag named in an error about the property. (<see cref="NetworkOptions"/> over SequenceModelOptions,
/// <see cref="TrainingOptions"/> over the trainer's options.)
/// </summary>
internal sealed class OptionTable<T> where T : new()
{
    public sealed record Row(string Flag, string Property, string Description);

    private sealed record Entry(Row Row, PropertyInfo Property, Option Option, Func<ParseResult, object?> Read);

    private readonly Entry[] _entries;

    public OptionTable(IEnumerable<Row> rows)
    {
        var defaults = new T();
        _entries = rows.Select(row =>
        {
            var property = typeof(T).GetProperty(row.Property) ?? throw new InvalidOperationException($"{row.Flag}: {typeof(T).Name} has no property {row.Property}");
            return Declare(row, property, property.GetValue(defaults));
        }).ToArray();
    }

    /// <summary>The properties the table sets.</summary>
    public IEnumerable<string> Properties => _entries.Select(e => e.Row.Property);

    /// <summary>The flag that sets a property, or null.</summary>
    public string? FlagOf(string? property) => _entries.FirstOrDefault(e => e.Row.Property == property)?.Row.Flag;

    public void AddTo(Command command)
    {
        foreach (var entry in _entries) command.Options.Add(entry.Option);
    }

    /// <summary>Writes each option given on the command line into <paramref name="target"/>; the others keep their values.</summary>
    public void Apply(ParseResult parse, T target)
    {
        foreach (var entry in _entries)
        {
            if (entry.Read(parse) is { } value) entry.Property.SetValue(target, value);
        }
    }

    /// <summary>The flags given on the command line that set one of <paramref name="properties"/>, in the table's order.</summary>
    public IReadOnlyList<string> GivenAmong(ParseResult parse, IReadOnlySet<string> properties) =>
        _entries.Where(e => properties.Contains(e.Row.Property) && e.Read(parse) is not null).Select(e => e.Row.Flag).ToList();

    /// <summary>"--flag value" for each property whose value in <paramref name="these"/> differs from <paramref name="from"/>: what a recipe changes.</summary>
    public IEnumerable<string> Differences(T these, T from) =>
        _entries.Where(e => !Equals(e.Property.GetValue(these), e.Property.GetValue(from)))
            .Select(e => $"{e.Row.Flag} {Shown(e.Property.GetValue(these))}");

    private static Entry Declare(Row row, PropertyInfo property, object? initial)
    {
        Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        string description = row.Description.TrimEnd('.');
        string flag = row.Flag;
        if (type.IsEnum)
        {
            var choices = Enum.GetValues(type).Cast<object>().Select(v => (Name: ChoiceName(v), Value: v)).ToArray();
            string names = string.Join(", ", choices[..^1].Select(c => c.Name)) + " or " + choices[^1].Name;
            var option = new Option<string>(flag) { Description = $"{description}: {names} (default {ChoiceName(initial!)})." };
            return new Entry(row, property, option, parse => parse.GetResult(option) is null or { Implicit: true } ? null : Choice.Parse(flag, parse.GetValue(option)!, choices));
        }
        description = $"{description} (default {(initial is null ? "none" : Shown(initial))}).";
        if (type == typeof(float[]))
        {
            var option = new Option<string>(flag) { Description = description };
            return new Entry(row, property, option, parse => parse.GetResult(option) is null or { Implicit: true } ? null : Floats(flag, parse.GetValue(option)!));
        }
        return type == typeof(int) ? Typed<int>(row, property, description)
            : type == typeof(float) ? Typed<float>(row, property, description)
            : type == typeof(double) ? Typed<double>(row, property, description)
            : type == typeof(bool) ? Typed<bool>(row, property, description)
            : throw new InvalidOperationException($"{flag}: no command-line form for {type.Name}");
    }

    // Given or not is the parse result's (a bool option has an implicit result when left out), so that a
    // flag left out keeps the property's own value.
    private static Entry Typed<TValue>(Row row, PropertyInfo property, string description)
    {
        var option = new Option<TValue>(row.Flag) { Description = description };
        return new Entry(row, property, option, parse => parse.GetResult(option) is null or { Implicit: true } ? null : parse.GetValue(option));
    }

    // "1,3.5": one number a class.
    private static float[] Floats(string flag, string text) =>
        text.Split(',', StringSplitOptions.TrimEntries).Select(part =>
            float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value) ? value
                : throw new UsageException($"{flag} takes numbers separated by commas (e.g. 1,3.5), got '{text}'")).ToArray();

    private static string Shown(object? value) => value switch
    {
        null => "none",
        Enum e => ChoiceName(e),
        float[] values => string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!.ToLowerInvariant(),
    };

    // SequencePooling.Attention -> attention, RnnCellType.RnnRelu -> rnn-relu.
    public static string ChoiceName(object value) =>
        string.Concat(value.ToString()!.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
