using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SeqClassify.MLNet.Text;

[assembly: LoadableClass(typeof(PretrainedTokenizingTransformer), null, typeof(SignatureLoadModel),
    "SeqClassify pretrained tokenizer", PretrainedTokenizingTransformer.LoaderSignature)]

namespace SeqClassify.MLNet.Text;

/// <summary>Estimator of <see cref="PretrainedTokenizingTransformer"/> (nothing to learn: the folder's vocabulary is fixed).</summary>
public sealed class PretrainedTokenizingEstimator : TrivialEstimator<PretrainedTokenizingTransformer>
{
    internal PretrainedTokenizingEstimator(IHostEnvironment env, string outputColumnName, string? inputColumnName, PretrainedTokenizer tokenizer,
        string? pairColumnName = null)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(PretrainedTokenizingEstimator)),
            new PretrainedTokenizingTransformer(env, outputColumnName, inputColumnName, tokenizer, pairColumnName))
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        TextColumnTransformer.OutputShape(inputSchema, Transformer.OutputColumnName, Transformer.InputColumnName,
            new VectorDataViewType(NumberDataViewType.Int64), Transformer.PairColumnName);
}

/// <summary>
/// Text to a pretrained model's token ids ([CLS] WordPiece pieces [SEP], <see cref="PretrainedTokenizer"/>),
/// or a sentence pair's from two text columns ([CLS] a [SEP] b [SEP]), as a variable-length
/// Vector&lt;Int64&gt; that the trainer reads like MapTokensToIds' ids. The model file keeps the
/// vocabulary and the tokenizer's settings, so a loaded model needs no folder.
/// </summary>
public sealed class PretrainedTokenizingTransformer : TextColumnTransformer
{
    internal const string LoaderSignature = "SeqClassifyBertTokens"; // ML.NET allows at most 24 characters

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "SCPRETOK",
        // 0x00010002: a pair column (empty: none) after the vocabulary; 0x00010001 files read as single texts.
        // 0x00010003: Model.key's settings again in a checksummed Settings.bin (older readers ignore it).
        // 0x00010004: the truncation (policy and head length) after the pair column; older files keep the head.
        verWrittenCur: TruncationVersion,
        verReadableCur: TruncationVersion,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(PretrainedTokenizingTransformer).Assembly.FullName);

    internal PretrainedTokenizingTransformer(IHostEnvironment env, string outputColumnName, string? inputColumnName, PretrainedTokenizer tokenizer,
        string? pairColumnName = null)
        : base(env, nameof(PretrainedTokenizingTransformer), outputColumnName, inputColumnName)
    {
        if (pairColumnName is not null) ColumnChecks.RequireName(pairColumnName, nameof(pairColumnName));
        if (pairColumnName is not null && tokenizer.MaxLength < 3)
        {
            // Accepted, such a model would fail every prediction: a pair needs [CLS] and two [SEP].
            throw new ArgumentOutOfRangeException(nameof(tokenizer), tokenizer.MaxLength,
                $"a sentence pair needs at least 3 ids ([CLS] and two [SEP]); this tokenizer keeps {tokenizer.MaxLength}.");
        }
        if (pairColumnName is not null && tokenizer.Truncation != TruncationPolicy.KeepHead)
        {
            throw new ArgumentOutOfRangeException(nameof(tokenizer), tokenizer.Truncation,
                "a sentence pair drops pieces from the longer text's end (Hugging Face's longest_first): its tokenizer keeps the head (TruncationPolicy.KeepHead).");
        }
        Tokenizer = tokenizer;
        _pairColumnName = pairColumnName;
    }

    private readonly string? _pairColumnName;

    private PretrainedTokenizingTransformer(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, nameof(PretrainedTokenizingTransformer), ctx, GetVersionInfo())
    {
        bool lowerCase = ctx.Reader.ReadBoolean(), stripAccents = ctx.Reader.ReadBoolean(), splitCjk = ctx.Reader.ReadBoolean();
        int maxLength = ctx.Reader.ReadInt32();
        if (maxLength < 2) throw ModelPayload.Refuse(LoaderSignature, "Model.key", $"its maximum length {maxLength} is below 2");
        string vocabulary = ModelPayload.Read(ctx, "Vocabulary", LoaderSignature, r => r.ReadString());
        _pairColumnName = ctx.Header.ModelVerWritten >= 0x00010002 && ctx.Reader.ReadString() is { Length: > 0 } pair ? pair : null;
        bool truncation = ctx.Header.ModelVerWritten >= TruncationVersion;
        var policy = truncation ? (TruncationPolicy)ctx.Reader.ReadInt32() : TruncationPolicy.KeepHead;
        int headLength = truncation ? ctx.Reader.ReadInt32() : 0;
        try
        {
            Tokenizer = PretrainedTokenizer.FromSaved(vocabulary, lowerCase, stripAccents, splitCjk, maxLength, policy, headLength);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw ModelPayload.Refuse(LoaderSignature, "Model.key", e.Message.Split(" (Parameter")[0], e);
        }
        ModelPayload.CheckSettings(ctx, LoaderSignature, ctx.Header.ModelVerWritten >= SettingsVersion, Settings(truncation));
    }

    private const uint SettingsVersion = 0x00010003;

    private const uint TruncationVersion = 0x00010004;

    // The settings Model.key holds, as its format wrote them (the truncation from 0x00010004 on).
    private object?[] Settings(bool withTruncation = true) => withTruncation
        ? [OutputColumnName, InputColumnName, Tokenizer.LowerCase, Tokenizer.StripAccents, Tokenizer.SplitCjk, Tokenizer.MaxLength, _pairColumnName, (int)Tokenizer.Truncation, Tokenizer.HeadLength]
        : [OutputColumnName, InputColumnName, Tokenizer.LowerCase, Tokenizer.StripAccents, Tokenizer.SplitCjk, Tokenizer.MaxLength, _pairColumnName];

    /// <summary>The tokenizer.</summary>
    public PretrainedTokenizer Tokenizer { get; }

    /// <summary>The second text of a sentence pair, or null for single texts.</summary>
    public string? PairColumnName => _pairColumnName;

    private protected override string? SecondInputColumnName => _pairColumnName;

    private protected override DataViewType OutputType => new VectorDataViewType(NumberDataViewType.Int64);

    private protected override string OnnxRefusal =>
        "ONNX Runtime has no WordPiece operator (onnxruntime-extensions has one; ONNX Runtime does not ship it). Feed the graph ids (PretrainedTokenizer's Encode).";

    private protected override Delegate MakeGetter(ValueGetter<ReadOnlyMemory<char>> input)
    {
        ReadOnlyMemory<char> text = default;
        return (ValueGetter<VBuffer<long>>)((ref VBuffer<long> value) =>
        {
            input(ref text);
            long[] ids = Tokenizer.Encode(text.ToString(), out _);
            value = new VBuffer<long>(ids.Length, ids);
        });
    }

    private protected override Delegate MakeGetter(ValueGetter<ReadOnlyMemory<char>> input, ValueGetter<ReadOnlyMemory<char>> pair)
    {
        ReadOnlyMemory<char> text = default, second = default;
        return (ValueGetter<VBuffer<long>>)((ref VBuffer<long> value) =>
        {
            input(ref text);
            pair(ref second);
            long[] ids = Tokenizer.Encode(text.ToString(), second.ToString(), out _);
            value = new VBuffer<long>(ids.Length, ids);
        });
    }

    /// <inheritdoc />
    public override void SaveModel(ModelSaveContext ctx)
    {
        SaveColumns(ctx, GetVersionInfo());
        ctx.Writer.Write(Tokenizer.LowerCase);
        ctx.Writer.Write(Tokenizer.StripAccents);
        ctx.Writer.Write(Tokenizer.SplitCjk);
        ctx.Writer.Write(Tokenizer.MaxLength);
        ModelPayload.Write(ctx, "Vocabulary", w => w.Write(Tokenizer.Vocabulary));
        ctx.Writer.Write(_pairColumnName ?? "");
        ctx.Writer.Write((int)Tokenizer.Truncation);
        ctx.Writer.Write(Tokenizer.HeadLength);
        ModelPayload.WriteSettings(ctx, Settings());
    }
}
