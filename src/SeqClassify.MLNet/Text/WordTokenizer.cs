using System.Text;
using System.Text.RegularExpressions;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Persistence;

namespace SeqClassify.MLNet.Text;

/// <summary>How <see cref="WordTokenizingTransformer"/> splits text.</summary>
public enum TokenizerRule
{
    /// <summary>Split on <see cref="WordTokenizingOptions.Separators"/>, dropping empty tokens.</summary>
    Separators,
    /// <summary>Each match of <see cref="WordTokenizingOptions.Pattern"/> is a token.</summary>
    Regex,
    /// <summary>torchtext's basic_english (see <see cref="BasicEnglishTokenizer"/>).</summary>
    BasicEnglish,
    /// <summary>Each Unicode character (rune) is a token.</summary>
    Characters,
}

/// <summary>Options of <see cref="WordTokenizingTransformer"/>.</summary>
public sealed class WordTokenizingOptions
{
    /// <summary>Output column (Vector&lt;Text&gt;).</summary>
    public string OutputColumnName { get; set; } = "Tokens";

    /// <summary>Input column (Text); defaults to the output column.</summary>
    public string? InputColumnName { get; set; }

    /// <summary>The splitting rule.</summary>
    public TokenizerRule Rule { get; set; } = TokenizerRule.Separators;

    /// <summary>Separators for <see cref="TokenizerRule.Separators"/>; a space by default.</summary>
    public char[] Separators { get; set; } = [' '];

    /// <summary>The token pattern for <see cref="TokenizerRule.Regex"/>, e.g. <c>\w+|[^\w\s]</c>.</summary>
    public string? Pattern { get; set; }
}

/// <summary>Splits a Text column into a Vector&lt;Text&gt; of tokens. Null or blank text gives no tokens.</summary>
public sealed class WordTokenizingTransformer : RowMappingTransformer
{
    internal const string KindName = "TokenizeIntoWords";
    private readonly Regex? _regex;

    internal WordTokenizingTransformer(WordTokenizingOptions options)
    {
        SchemaChecks.RequireName(options.OutputColumnName, nameof(options.OutputColumnName));
        if (options.Rule == TokenizerRule.Regex)
        {
            if (string.IsNullOrEmpty(options.Pattern))
            {
                throw new ArgumentException("Rule Regex needs a Pattern.", nameof(options));
            }
            try
            {
                _regex = new Regex(options.Pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Pattern '{options.Pattern}' is not a valid regular expression: {e.Message}", nameof(options), e);
            }
        }
        if (options.Rule == TokenizerRule.Separators && (options.Separators is null || options.Separators.Length == 0))
        {
            throw new ArgumentException("Rule Separators needs at least one separator.", nameof(options));
        }
        Options = options;
    }

    /// <summary>The options in use.</summary>
    public WordTokenizingOptions Options { get; }

    private string Input => Options.InputColumnName ?? Options.OutputColumnName;

    /// <summary>The tokens of one text.</summary>
    public string[] Tokenize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        return Options.Rule switch
        {
            TokenizerRule.BasicEnglish => BasicEnglishTokenizer.Tokenize(text),
            TokenizerRule.Regex => _regex!.Matches(text).Select(m => m.Value).Where(t => t.Length > 0).ToArray(),
            TokenizerRule.Characters => text.EnumerateRunes().Select(r => r.ToString()).ToArray(),
            _ => text.Split(Options.Separators, StringSplitOptions.RemoveEmptyEntries),
        };
    }

    /// <inheritdoc />
    protected override IReadOnlyList<DataViewSchema.Column> AddedColumns(DataViewSchema inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, Input);
        return [new DataViewSchema.Column(0, Options.OutputColumnName, new VectorDataViewType(TextDataViewType.Instance))];
    }

    /// <inheritdoc />
    protected override Func<IReadOnlyList<DataViewRow>, object?[][]> Bind(DataViewSchema inputSchema)
    {
        int input = inputSchema[Input].Index;
        return rows => rows.Select(r => new object?[] { Tokenize(r.Values[input] as string) }).ToArray();
    }

    internal override string Kind => KindName;

    internal override void Save(ModelSaveContext context)
    {
        context.Options["outputColumnName"] = Options.OutputColumnName;
        context.Options["inputColumnName"] = Input;
        context.Options["rule"] = Options.Rule.ToString();
        context.Options["separators"] = new string(Options.Separators);
        context.Options["pattern"] = Options.Pattern;
    }

    internal static WordTokenizingTransformer Load(ModelLoadContext context) => new(new WordTokenizingOptions
    {
        OutputColumnName = context.Get<string>("outputColumnName"),
        InputColumnName = context.Get<string>("inputColumnName"),
        Rule = Enum.Parse<TokenizerRule>(context.Get<string>("rule")),
        Separators = context.Get<string>("separators").ToCharArray(),
        Pattern = context.Options["pattern"]?.GetValue<string>(),
    });
}
