namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// model_type "bert" (BERT, MiniLM, TinyBERT, ...): word + position + token-type embeddings, BertModel's
/// names under an optional "bert." prefix, the tanh pooler when present, and BertForSequenceClassification's
/// head (pooler, dropout, "classifier").
/// </summary>
internal sealed class BertFamily : PretrainedFamily
{
    public override string ModelType => "bert";

    public override string Prefix => "bert.";

    public override string[] Ignorable => ["embeddings.position_ids", "cls."];

    public override void Apply(HuggingFaceConfig c, SequenceModelOptions to)
    {
        if (c.Has("position_embedding_type") && c.Text("position_embedding_type") != "absolute")
        {
            throw new InvalidDataException($"'{c.Path}': position_embedding_type '{c.Text("position_embedding_type")}' is not supported (only \"absolute\").");
        }
        string activation = c.Text("hidden_act");
        if (activation != "gelu") throw new InvalidDataException($"'{c.Path}': hidden_act '{activation}' is not supported (only \"gelu\", the exact erf form).");
        int hidden = c.Integer("hidden_size", 1, SequenceModelOptions.MaximumWidth);
        int heads = c.Integer("num_attention_heads", 1, SequenceModelOptions.MaximumHeads);
        CheckHeads(c, hidden, heads, "hidden_size", "num_attention_heads");
        ApplyShared(to, c.Integer("vocab_size", 2, MaximumVocabulary), hidden, c.Integer("num_hidden_layers", 1, MaximumLayers), heads,
            c.Integer("intermediate_size", 1, SequenceModelOptions.MaximumWidth), c.Integer("max_position_embeddings", 1, SequenceModelOptions.MaximumPositions),
            c.Number("layer_norm_eps"), c.Probability("hidden_dropout_prob"));
        // BERT's configs say 2 segment types; some BERT-shaped models have 1.
        to.TokenTypes = c.Has("type_vocab_size") ? c.Integer("type_vocab_size", 1, SequenceModelOptions.MaximumTokenTypes) : 2;
        to.SegmentSeparatorId = to.TokenTypes >= 2 ? _separator ??= SeparatorId(c) : 0;
    }

    // Read once per folder (Apply runs again for every classifier's options).
    private long? _separator;

    // [SEP]'s id in the folder's vocab.txt, which ends a pair's first segment; 0 (one segment) without a vocabulary.
    private static long SeparatorId(HuggingFaceConfig c)
    {
        string vocabulary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(c.Path))!, "vocab.txt");
        if (!File.Exists(vocabulary)) return 0;
        long id = 0;
        foreach (string line in File.ReadLines(vocabulary))
        {
            if (line.TrimEnd('\r') == "[SEP]") return id;
            id++;
        }
        throw new InvalidDataException($"'{vocabulary}' has no [SEP] token, which BERT's tokenizer ends every text with.");
    }

    public override Dictionary<string, NamedTensor> Encoder(CheckpointTensors t, SequenceModelOptions a)
    {
        long V = a.VocabularySize, D = a.HiddenSize, F = a.FeedForwardSize, P = a.MaxPositions;
        var engine = new Dictionary<string, NamedTensor>();
        Put(engine, "embedding.weight", t.Encoder("embeddings.word_embeddings.weight", V, D));
        Put(engine, "positional.weight", t.Encoder("embeddings.position_embeddings.weight", P, D));
        Put(engine, "token_type.weight", t.Encoder("embeddings.token_type_embeddings.weight", a.TokenTypes, D));
        Put(engine, "embedding_norm.weight", t.Encoder("embeddings.LayerNorm.weight", D));
        Put(engine, "embedding_norm.bias", t.Encoder("embeddings.LayerNorm.bias", D));
        var names = new LayerNames("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm");
        for (int layer = 0; layer < a.NumLayers; layer++)
        {
            PutLayer(engine, layer, D, F, (name, shape) => t.Encoder($"encoder.layer.{layer}." + name, shape), names);
        }
        // BertModel(add_pooling_layer=False) checkpoints have no pooler; a ClsPooler over them starts a new one.
        if (t.HasEncoderTensor("pooler.dense.weight"))
        {
            Put(engine, "pooler.dense.weight", t.Encoder("pooler.dense.weight", D, D));
            Put(engine, "pooler.dense.bias", t.Encoder("pooler.dense.bias", D));
        }
        return engine;
    }

    public override PretrainedHead? Head(CheckpointTensors t, HuggingFaceConfig c, SequenceModelOptions a)
    {
        if (!t.HasHeadTensor("classifier.weight")) return null;
        long D = a.HiddenSize;
        int classes = t.Classes("classifier.weight");
        var weight = t.Head("classifier.weight", classes, D);
        var tensors = new Dictionary<string, NamedTensor>();
        Put(tensors, "fc.weight", weight);
        Put(tensors, "fc.bias", t.Head("classifier.bias", classes));
        if (!t.HasEncoderTensor("pooler.dense.weight")) throw new InvalidDataException($"'{t.Path}' has a classifier but no pooler ('{t.Prefix}pooler.dense.weight'): BertForSequenceClassification reads the pooler.");
        // BertForSequenceClassification: classifier_dropout, else hidden_dropout_prob, before the classifier.
        float dropout = c.Has("classifier_dropout") ? c.Probability("classifier_dropout") : c.Probability("hidden_dropout_prob");
        return new PretrainedHead(SequencePooling.ClsPooler, 0, dropout, Labels(c, classes), tensors);
    }

    internal static string[] Labels(HuggingFaceConfig c, int classes) =>
        c.Labels(classes) ?? Enumerable.Range(0, classes).Select(i => $"LABEL_{i}").ToArray();
}
