using System.Globalization;
using System.Text;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Persistence;

namespace SeqClassify.MLNet.Text;

/// <summary>Options of <see cref="TextNormalizingTransformer"/> (ML.NET's TextNormalizingEstimator options).</summary>
public sealed class TextNormalizingOptions
{
    /// <summary>Casing of the output.</summary>
    public enum CaseMode
    {
        /// <summary>Lower-case (invariant culture).</summary>
        Lower,
        /// <summary>Upper-case (invariant culture).</summary>
        Upper,
        /// <summary>Leave case alone.</summary>
        None,
    }

    /// <summary>Output column (Text).</summary>
    public string OutputColumnName { get; set; } = "Text";

    /// <summary>Input column (Text); defaults to the output column.</summary>
    public string? InputColumnName { get; set; }

    /// <summary>Casing; lower by default.</summary>
    public CaseMode Case { get; set; } = CaseMode.Lower;

    /// <summary>Unicode normalization form applied first (FormC by default; FormKC also folds compatibility characters).</summary>
    public NormalizationForm Form { get; set; } = NormalizationForm.FormC;

    /// <summary>Keep accents (é); false strips them (e).</summary>
    public bool KeepDiacritics { get; set; } = true;

    /// <summary>Keep punctuation characters; false removes them.</summary>
    public bool KeepPunctuations { get; set; } = true;

    /// <summary>Keep digits; false removes them.</summary>
    public bool KeepNumbers { get; set; } = true;

    /// <summary>
    /// Undo Penn Treebank escapes first (-lrb- → (, -rrb- → ), -lsb- → [, -rsb- → ], -lcb- → {, -rcb- → },
    /// \/ → /, \* → *), as in SST-2's dev and test files, so that they match text written plainly.
    /// </summary>
    public bool UnescapePennTreebank { get; set; }
}

/// <summary>Normalizes text: Unicode form, case, diacritics, punctuation and digits. Null text becomes "".</summary>
public sealed class TextNormalizingTransformer : RowMappingTransformer
{
    internal const string KindName = "NormalizeText";

    private static readonly (string Escaped, string Plain)[] PennTreebankEscapes =
    [
        ("-lrb-", "("), ("-rrb-", ")"), ("-lsb-", "["), ("-rsb-", "]"), ("-lcb-", "{"), ("-rcb-", "}"), ("\\/", "/"), ("\\*", "*"),
    ];

    internal TextNormalizingTransformer(TextNormalizingOptions options)
    {
        SchemaChecks.RequireName(options.OutputColumnName, nameof(options.OutputColumnName));
        Options = options;
    }

    /// <summary>The options in use.</summary>
    public TextNormalizingOptions Options { get; }

    private string Input => Options.InputColumnName ?? Options.OutputColumnName;

    /// <summary>Normalizes one string.</summary>
    public string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        string s = text.Normalize(Options.Form);
        if (Options.UnescapePennTreebank)
        {
            foreach (var (escaped, plain) in PennTreebankEscapes)
            {
                s = s.Replace(escaped, plain, StringComparison.OrdinalIgnoreCase);
            }
        }
        if (!Options.KeepDiacritics)
        {
            s = new string(s.Normalize(NormalizationForm.FormD)
                .Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark).ToArray())
                .Normalize(NormalizationForm.FormC);
        }
        if (!Options.KeepPunctuations || !Options.KeepNumbers)
        {
            s = new string(s.Where(c => (Options.KeepPunctuations || !char.IsPunctuation(c)) && (Options.KeepNumbers || !char.IsDigit(c))).ToArray());
        }
        return Options.Case switch
        {
            TextNormalizingOptions.CaseMode.Lower => s.ToLowerInvariant(),
            TextNormalizingOptions.CaseMode.Upper => s.ToUpperInvariant(),
            _ => s,
        };
    }

    /// <inheritdoc />
    protected override IReadOnlyList<DataViewSchema.Column> AddedColumns(DataViewSchema inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, Input);
        return [new DataViewSchema.Column(0, Options.OutputColumnName, TextDataViewType.Instance)];
    }

    /// <inheritdoc />
    protected override Func<IReadOnlyList<DataViewRow>, object?[][]> Bind(DataViewSchema inputSchema)
    {
        int input = inputSchema[Input].Index;
        return rows => rows.Select(r => new object?[] { Normalize(r.Values[input] as string) }).ToArray();
    }

    internal override string Kind => KindName;

    internal override void Save(ModelSaveContext context)
    {
        context.Options["outputColumnName"] = Options.OutputColumnName;
        context.Options["inputColumnName"] = Input;
        context.Options["case"] = Options.Case.ToString();
        context.Options["form"] = Options.Form.ToString();
        context.Options["keepDiacritics"] = Options.KeepDiacritics;
        context.Options["keepPunctuations"] = Options.KeepPunctuations;
        context.Options["keepNumbers"] = Options.KeepNumbers;
        context.Options["unescapePennTreebank"] = Options.UnescapePennTreebank;
    }

    internal static TextNormalizingTransformer Load(ModelLoadContext context) => new(new TextNormalizingOptions
    {
        OutputColumnName = context.Get<string>("outputColumnName"),
        InputColumnName = context.Get<string>("inputColumnName"),
        Case = Enum.Parse<TextNormalizingOptions.CaseMode>(context.Get<string>("case")),
        Form = Enum.Parse<NormalizationForm>(context.Get<string>("form")),
        KeepDiacritics = context.Get<bool>("keepDiacritics"),
        KeepPunctuations = context.Get<bool>("keepPunctuations"),
        KeepNumbers = context.Get<bool>("keepNumbers"),
        UnescapePennTreebank = context.Get<bool>("unescapePennTreebank"),
    });
}
