namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// What a model_type's folder means to the engine: the encoder fields its config.json decides, its
/// tensors under the engine's names, and the sequence-classification head a fine-tuned checkpoint carries.
/// </summary>
internal abstract class PretrainedFamily
{
    /// <summary>The most layers a pretrained encoder may have (BERT-large has 24).</summary>
    public const int MaximumLayers = 64;

    /// <summary>The largest vocabulary accepted.</summary>
    public const int MaximumVocabulary = 1_000_000;

    /// <summary>The most classes a checkpoint's classifier may have.</summary>
    public const int MaximumClasses = 100_000;

    public static PretrainedFamily For(HuggingFaceConfig config)
    {
        string modelType = config.Text("model_type");
        return modelType switch
        {
            "bert" => new BertFamily(),
            "distilbert" => new DistilBertFamily(),
            _ => throw new InvalidDataException($"'{config.Path}': model_type '{modelType}' is not supported; the engine reads BERT-shaped encoders " +
                "(model_type \"bert\": BERT, MiniLM, TinyBERT and others; \"distilbert\")."),
        };
    }

    public abstract string ModelType { get; }

    /// <summary>The encoder's prefix in a task checkpoint ("bert.", "distilbert.").</summary>
    public abstract string Prefix { get; }

    /// <summary>What config.json decides, written over the target's own values: the one list of the encoder's fields.</summary>
    public abstract void Apply(HuggingFaceConfig config, SequenceModelOptions to);

    /// <summary>The encoder's parameters (and a pooler's, if the folder has one) under the engine's names.</summary>
    public abstract Dictionary<string, NamedTensor> Encoder(CheckpointTensors tensors, SequenceModelOptions a);

    /// <summary>The sequence-classification head of a fine-tuned checkpoint, or null when the folder has none.</summary>
    public abstract PretrainedHead? Head(CheckpointTensors tensors, HuggingFaceConfig config, SequenceModelOptions a);

    /// <summary>Prefixes of tensors the engine does not use: pretraining heads, buffers.</summary>
    public abstract string[] Ignorable { get; }

    // The Transformer both families share: post-norm layers, exact GELU, learned positions, unscaled
    // embeddings normalised with a LayerNorm, no dropout inside the feed-forward block.
    protected static void ApplyShared(SequenceModelOptions to, int vocabulary, int width, int layers, int heads, int feedForward, int positions,
        double epsilon, float dropout)
    {
        to.Encoder = SequenceEncoder.Transformer;
        to.VocabularySize = vocabulary;
        to.InputSize = width;
        to.HiddenSize = width;
        to.NumLayers = layers;
        to.Heads = heads;
        to.FeedForwardSize = feedForward;
        to.MaxPositions = positions;
        to.PositionalEncoding = PositionalEncoding.Learned;
        to.Activation = TransformerActivation.Gelu;
        to.NormFirst = false;
        to.LayerNormEpsilon = epsilon;
        to.ScaleEmbedding = false;
        to.EmbeddingNorm = true;
        to.FeedForwardInnerDropout = false;
        to.EmbeddingDropout = dropout;
        to.TransformerDropout = dropout;
        // The embedding comes from the folder's weights, not from a matrix in the options.
        to.PretrainedEmbeddings = null;
        to.FreezeEmbeddings = false;
    }

    protected static void CheckHeads(HuggingFaceConfig c, int width, int heads, string widthName, string headsName)
    {
        if (width % heads != 0) throw new InvalidDataException($"'{c.Path}': {headsName} {heads} does not divide {widthName} {width}.");
    }

    protected static void Put(Dictionary<string, NamedTensor> engine, string name, NamedTensor tensor) =>
        engine[name] = new NamedTensor(name, tensor.Shape, tensor.Floats, null);

    /// <summary>One layer's attention and feed-forward block under the engine's names (query, key and value stacked, as nn.MultiheadAttention keeps them).</summary>
    protected static void PutLayer(Dictionary<string, NamedTensor> engine, int layer, long D, long F, Func<string, long[], NamedTensor> take, LayerNames n)
    {
        string to = $"encoder.layers.{layer}.";
        var q = take(n.Query + ".weight", [D, D]);
        var k = take(n.Key + ".weight", [D, D]);
        var v = take(n.Value + ".weight", [D, D]);
        engine[to + "self_attn.in_proj_weight"] = new NamedTensor(to + "self_attn.in_proj_weight", [3 * D, D], [.. q.Floats!, .. k.Floats!, .. v.Floats!], null);
        var qb = take(n.Query + ".bias", [D]);
        var kb = take(n.Key + ".bias", [D]);
        var vb = take(n.Value + ".bias", [D]);
        engine[to + "self_attn.in_proj_bias"] = new NamedTensor(to + "self_attn.in_proj_bias", [3 * D], [.. qb.Floats!, .. kb.Floats!, .. vb.Floats!], null);
        Put(engine, to + "self_attn.out_proj.weight", take(n.Output + ".weight", [D, D]));
        Put(engine, to + "self_attn.out_proj.bias", take(n.Output + ".bias", [D]));
        Put(engine, to + "norm1.weight", take(n.AttentionNorm + ".weight", [D]));
        Put(engine, to + "norm1.bias", take(n.AttentionNorm + ".bias", [D]));
        Put(engine, to + "linear1.weight", take(n.Inner + ".weight", [F, D]));
        Put(engine, to + "linear1.bias", take(n.Inner + ".bias", [F]));
        Put(engine, to + "linear2.weight", take(n.Outer + ".weight", [D, F]));
        Put(engine, to + "linear2.bias", take(n.Outer + ".bias", [D]));
        Put(engine, to + "norm2.weight", take(n.OutputNorm + ".weight", [D]));
        Put(engine, to + "norm2.bias", take(n.OutputNorm + ".bias", [D]));
    }

    /// <summary>A family's names of one layer's modules, under "…layer.N.".</summary>
    protected sealed record LayerNames(string Query, string Key, string Value, string Output, string AttentionNorm, string Inner, string Outer, string OutputNorm);
}

/// <summary>A fine-tuned checkpoint's classifier: how it pools, its head, its labels, and its tensors under the engine's names.</summary>
internal sealed record PretrainedHead(SequencePooling Pooling, int HeadHiddenSize, float Dropout, string[] Labels, Dictionary<string, NamedTensor> Tensors);
