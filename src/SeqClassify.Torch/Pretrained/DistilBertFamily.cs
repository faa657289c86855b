namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// model_type "distilbert": word + position embeddings (no token types, no pooler), DistilBertModel's names
/// under an optional "distilbert." prefix, and DistilBertForSequenceClassification's head: the first
/// position -> pre_classifier -> ReLU -> dropout -> classifier, which is the engine's First pooling and a
/// head with a hidden layer. Fine-tuning differs from Hugging Face's only in where dropout falls: the
/// engine's head also drops out before pre_classifier, and its layers after the attention's output
/// projection as BERT's do (DistilBERT's do not); predictions are the same.
/// </summary>
internal sealed class DistilBertFamily : PretrainedFamily
{
    // DistilBERT's LayerNorms are built with eps 1e-12 whatever the config says.
    private const double LayerNormEpsilon = 1e-12;

    public override string ModelType => "distilbert";

    public override string Prefix => "distilbert.";

    public override string[] Ignorable => ["embeddings.position_ids", "vocab_transform.", "vocab_layer_norm.", "vocab_projector."];

    public override void Apply(HuggingFaceConfig c, SequenceModelOptions to)
    {
        string activation = c.Text("activation");
        if (activation != "gelu") throw new InvalidDataException($"'{c.Path}': activation '{activation}' is not supported (only \"gelu\", the exact erf form).");
        int width = c.Integer("dim", 1, SequenceModelOptions.MaximumWidth);
        int heads = c.Integer("n_heads", 1, SequenceModelOptions.MaximumHeads);
        CheckHeads(c, width, heads, "dim", "n_heads");
        ApplyShared(to, c.Integer("vocab_size", 2, MaximumVocabulary), width, c.Integer("n_layers", 1, MaximumLayers), heads,
            c.Integer("hidden_dim", 1, SequenceModelOptions.MaximumWidth), c.Integer("max_position_embeddings", 1, SequenceModelOptions.MaximumPositions),
            LayerNormEpsilon, c.Probability("dropout"));
        to.TokenTypes = 0;
    }

    public override Dictionary<string, NamedTensor> Encoder(CheckpointTensors t, SequenceModelOptions a)
    {
        long V = a.VocabularySize, D = a.HiddenSize, F = a.FeedForwardSize, P = a.MaxPositions;
        var engine = new Dictionary<string, NamedTensor>();
        // Sinusoidal DistilBERTs (sinusoidal_pos_embds) keep their fixed table in the same tensor.
        Put(engine, "embedding.weight", t.Encoder("embeddings.word_embeddings.weight", V, D));
        Put(engine, "positional.weight", t.Encoder("embeddings.position_embeddings.weight", P, D));
        Put(engine, "embedding_norm.weight", t.Encoder("embeddings.LayerNorm.weight", D));
        Put(engine, "embedding_norm.bias", t.Encoder("embeddings.LayerNorm.bias", D));
        var names = new LayerNames("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm");
        for (int layer = 0; layer < a.NumLayers; layer++)
        {
            PutLayer(engine, layer, D, F, (name, shape) => t.Encoder($"transformer.layer.{layer}." + name, shape), names);
        }
        return engine;
    }

    public override PretrainedHead? Head(CheckpointTensors t, HuggingFaceConfig c, SequenceModelOptions a)
    {
        if (!t.HasHeadTensor("classifier.weight")) return null;
        long D = a.HiddenSize;
        int classes = t.Classes("classifier.weight");
        var tensors = new Dictionary<string, NamedTensor>();
        Put(tensors, "hidden.weight", t.Head("pre_classifier.weight", D, D));
        Put(tensors, "hidden.bias", t.Head("pre_classifier.bias", D));
        Put(tensors, "fc.weight", t.Head("classifier.weight", classes, D));
        Put(tensors, "fc.bias", t.Head("classifier.bias", classes));
        return new PretrainedHead(SequencePooling.First, (int)D, c.Probability("seq_classif_dropout"), BertFamily.Labels(c, classes), tensors);
    }
}
