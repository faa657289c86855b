using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SeqClassify.MLNet.Text;

[assembly: LoadableClass(typeof(TokenizingTransformer), null, typeof(SignatureLoadModel),
    "SeqClassify tokenizer", TokenizingTransformer.LoaderSignature)]

namespace SeqClassify.MLNet.Text;

/// <summary>The tokenizer rules SeqClassify adds to ML.NET's (which splits on separator characters).</summary>
public enum TokenizerRule
{
    /// <summary>torchtext's basic_english, exactly as the PyTorch reference (see <see cref="BasicEnglishTokenizer"/>).</summary>
    BasicEnglish,
    /// <summary>Each match of a regular expression is a token (e.g. <c>\w+|[^\w\s]</c>).</summary>
    Regex,
}

/// <summary>Estimator of <see cref="TokenizingTransformer"/> (nothing to learn).</summary>
public sealed class TokenizingEstimator : TrivialEstimator<TokenizingTransformer>
{
    internal TokenizingEstimator(IHostEnvironment env, string outputColumnName, string? inputColumnName, TokenizerRule rule, string? pattern)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(TokenizingEstimator)),
            new TokenizingTransformer(env, outputColumnName, inputColumnName, rule, pattern))
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        TextColumnTransformer.OutputShape(inputSchema, Transformer.OutputColumnName, Transformer.InputColumnName, TokenizingTransformer.TokensType);
}

/// <summary>
/// Splits a Text column into a variable-length vector of Text tokens by a <see cref="TokenizerRule"/>.
/// Empty or missing text gives no tokens.
/// </summary>
public sealed class TokenizingTransformer : TextColumnTransformer
{
    internal const string LoaderSignature = "SeqClassifyTokenizer";
    internal static readonly VectorDataViewType TokensType = new(TextDataViewType.Instance);
    private readonly Regex? _regex;

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "SCTOKENS",
        // 0x00010002: Model.key's settings again in a checksummed Settings.bin (older readers ignore it).
        verWrittenCur: SettingsVersion,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(TokenizingTransformer).Assembly.FullName);

    internal TokenizingTransformer(IHostEnvironment env, string outputColumnName, string? inputColumnName, TokenizerRule rule, string? pattern)
        : base(env, nameof(TokenizingTransformer), outputColumnName, inputColumnName)
    {
        Rule = rule;
        Pattern = pattern;
        _regex = CompilePattern(rule, pattern);
    }

    private TokenizingTransformer(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, nameof(TokenizingTransformer), ctx, GetVersionInfo())
    {
        Rule = (TokenizerRule)ctx.Reader.ReadInt32();
        Pattern = ctx.Reader.ReadBoolean() ? ctx.Reader.ReadString() : null;
        ModelPayload.CheckSettings(ctx, LoaderSignature, ctx.Header.ModelVerWritten >= SettingsVersion, OutputColumnName, InputColumnName, Rule, Pattern);
        _regex = CompilePattern(Rule, Pattern);
    }

    /// <summary>The splitting rule.</summary>
    public TokenizerRule Rule { get; }

    /// <summary>The token pattern of <see cref="TokenizerRule.Regex"/>; null otherwise.</summary>
    public string? Pattern { get; }

    private static Regex? CompilePattern(TokenizerRule rule, string? pattern)
    {
        if (!Enum.IsDefined(rule))
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule, "rule must be a TokenizerRule.");
        }
        if (rule != TokenizerRule.Regex)
        {
            return null;
        }
        if (string.IsNullOrEmpty(pattern))
        {
            throw new ArgumentException("Rule Regex needs a pattern.", nameof(pattern));
        }
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Pattern '{pattern}' is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
    }

    /// <summary>The tokens of one text.</summary>
    public string[] Tokenize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        return Rule == TokenizerRule.Regex
            ? _regex!.Matches(text).Select(m => m.Value).Where(t => t.Length > 0).ToArray()
            : BasicEnglishTokenizer.Tokenize(text);
    }

    private protected override DataViewType OutputType => TokensType;

    private protected override string OnnxRefusal => Rule == TokenizerRule.Regex
        ? ".NET regular expressions are not RE2's, which ONNX Runtime's tokenizer uses. Feed the graph tokens (this transformer's Tokenize), or tokenize with ML.NET's TokenizeIntoWords, which exports."
        : "the basic_english rules delete '\"' inside a word, joining its pieces, which no ONNX Runtime operator does. " +
          "Feed the graph tokens (BasicEnglishTokenizer.Tokenize), or tokenize with ML.NET's TokenizeIntoWords, which exports.";

    private protected override Delegate MakeGetter(ValueGetter<ReadOnlyMemory<char>> input)
    {
        ReadOnlyMemory<char> text = default;
        return (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
        {
            input(ref text);
            var tokens = Tokenize(text.ToString());
            var editor = VBufferEditor.Create(ref value, tokens.Length);
            for (int i = 0; i < tokens.Length; i++)
            {
                editor.Values[i] = tokens[i].AsMemory();
            }
            value = editor.Commit();
        });
    }

    /// <inheritdoc />
    public override void SaveModel(ModelSaveContext ctx)
    {
        SaveColumns(ctx, GetVersionInfo());
        ctx.Writer.Write((int)Rule);
        ctx.Writer.Write(Pattern is not null);
        if (Pattern is not null) ctx.Writer.Write(Pattern);
        ModelPayload.WriteSettings(ctx, OutputColumnName, InputColumnName, Rule, Pattern);
    }

    private const uint SettingsVersion = 0x00010002;
}
