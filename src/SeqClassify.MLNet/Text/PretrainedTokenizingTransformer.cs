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
    internal PretrainedTokenizingEstimator(IHostEnvironment env, string outputColumnName, string? inputColumnName, PretrainedTokenizer tokenizer)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(PretrainedTokenizingEstimator)),
            new PretrainedTokenizingTransformer(env, outputColumnName, inputColumnName, tokenizer))
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        TextColumnTransformer.OutputShape(inputSchema, Transformer.OutputColumnName, Transformer.InputColumnName,
            new VectorDataViewType(NumberDataViewType.Int64));
}

/// <summary>
/// Text to a pretrained model's token ids ([CLS] WordPiece pieces [SEP], <see cref="PretrainedTokenizer"/>),
/// as a variable-length Vector&lt;Int64&gt; that the trainer reads like MapTokensToIds' ids. The model
/// file keeps the vocabulary and the tokenizer's settings, so a loaded model needs no folder.
/// </summary>
public sealed class PretrainedTokenizingTransformer : TextColumnTransformer
{
    internal const string LoaderSignature = "SeqClassifyBertTokens"; // ML.NET allows at most 24 characters

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "SCPRETOK",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(PretrainedTokenizingTransformer).Assembly.FullName);

    internal PretrainedTokenizingTransformer(IHostEnvironment env, string outputColumnName, string? inputColumnName, PretrainedTokenizer tokenizer)
        : base(env, nameof(PretrainedTokenizingTransformer), outputColumnName, inputColumnName)
    {
        Tokenizer = tokenizer;
    }

    private PretrainedTokenizingTransformer(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, nameof(PretrainedTokenizingTransformer), ctx, GetVersionInfo())
    {
        bool lowerCase = ctx.Reader.ReadBoolean(), stripAccents = ctx.Reader.ReadBoolean(), splitCjk = ctx.Reader.ReadBoolean();
        int maxLength = ctx.Reader.ReadInt32();
        if (maxLength < 2) throw ModelPayload.Refuse(LoaderSignature, "Model.key", $"its maximum length {maxLength} is below 2");
        string vocabulary = ModelPayload.Read(ctx, "Vocabulary", LoaderSignature, r => r.ReadString());
        Tokenizer = PretrainedTokenizer.FromSaved(vocabulary, lowerCase, stripAccents, splitCjk, maxLength);
    }

    /// <summary>The tokenizer.</summary>
    public PretrainedTokenizer Tokenizer { get; }

    private protected override DataViewType OutputType => new VectorDataViewType(NumberDataViewType.Int64);

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

    /// <inheritdoc />
    public override void SaveModel(ModelSaveContext ctx)
    {
        SaveColumns(ctx, GetVersionInfo());
        ctx.Writer.Write(Tokenizer.LowerCase);
        ctx.Writer.Write(Tokenizer.StripAccents);
        ctx.Writer.Write(Tokenizer.SplitCjk);
        ctx.Writer.Write(Tokenizer.MaxLength);
        ModelPayload.Write(ctx, "Vocabulary", w => w.Write(Tokenizer.Vocabulary));
    }
}
