using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SeqClassify.MLNet.Text;

[assembly: LoadableClass(typeof(PennTreebankUnescapingTransformer), null, typeof(SignatureLoadModel),
    "SeqClassify Penn Treebank unescaping", PennTreebankUnescapingTransformer.LoaderSignature)]

namespace SeqClassify.MLNet.Text;

/// <summary>Estimator of <see cref="PennTreebankUnescapingTransformer"/> (nothing to learn).</summary>
public sealed class PennTreebankUnescapingEstimator : TrivialEstimator<PennTreebankUnescapingTransformer>
{
    internal PennTreebankUnescapingEstimator(IHostEnvironment env, string outputColumnName, string? inputColumnName)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(PennTreebankUnescapingEstimator)),
            new PennTreebankUnescapingTransformer(env, outputColumnName, inputColumnName))
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        TextColumnTransformer.OutputShape(inputSchema, Transformer.OutputColumnName, Transformer.InputColumnName, TextDataViewType.Instance);
}

/// <summary>
/// Undoes Penn Treebank escapes (-lrb- → (, -rrb- → ), -lsb- → [, -rsb- → ], -lcb- → {, -rcb- → },
/// \/ → /, \* → *), as SST-2's dev and test files write brackets, so that they match text written
/// plainly. Missing text becomes empty.
/// </summary>
public sealed class PennTreebankUnescapingTransformer : TextColumnTransformer
{
    internal const string LoaderSignature = "SeqClassifyPtbUnescape";

    private static readonly (string Escaped, string Plain)[] Escapes =
    [
        ("-lrb-", "("), ("-rrb-", ")"), ("-lsb-", "["), ("-rsb-", "]"), ("-lcb-", "{"), ("-rcb-", "}"), ("\\/", "/"), ("\\*", "*"),
    ];

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "SCPTBUNE",
        // 0x00010002: Model.key's settings again in a checksummed Settings.bin (older readers ignore it).
        verWrittenCur: SettingsVersion,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(PennTreebankUnescapingTransformer).Assembly.FullName);

    internal PennTreebankUnescapingTransformer(IHostEnvironment env, string outputColumnName, string? inputColumnName)
        : base(env, nameof(PennTreebankUnescapingTransformer), outputColumnName, inputColumnName)
    {
    }

    private PennTreebankUnescapingTransformer(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, nameof(PennTreebankUnescapingTransformer), ctx, GetVersionInfo())
    {
        ModelPayload.CheckSettings(ctx, LoaderSignature, ctx.Header.ModelVerWritten >= SettingsVersion, OutputColumnName, InputColumnName);
    }

    private const uint SettingsVersion = 0x00010002;

    /// <summary>One text with its escapes undone (case-insensitively).</summary>
    public static string Unescape(string text)
    {
        foreach (var (escaped, plain) in Escapes)
        {
            text = text.Replace(escaped, plain, StringComparison.OrdinalIgnoreCase);
        }
        return text;
    }

    private protected override DataViewType OutputType => TextDataViewType.Instance;

    private protected override string OnnxRefusal =>
        "no ONNX Runtime operator rewrites text (-LRB- to '(' and the like). Unescape before the graph (PennTreebankUnescapingTransformer.Unescape).";

    private protected override Delegate MakeGetter(ValueGetter<ReadOnlyMemory<char>> input)
    {
        ReadOnlyMemory<char> text = default;
        return (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
        {
            input(ref text);
            value = Unescape(text.ToString()).AsMemory();
        });
    }

    /// <inheritdoc />
    public override void SaveModel(ModelSaveContext ctx)
    {
        SaveColumns(ctx, GetVersionInfo());
        ModelPayload.WriteSettings(ctx, OutputColumnName, InputColumnName);
    }
}
