namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// What a tokenizer must agree with in a pretrained folder's config.json, read without the weights:
/// the positions (no text may become more ids than the model has positions) and the vocabulary's size
/// (no id past the embedding table). BERT and DistilBERT name both alike.
/// </summary>
public static class PretrainedFolder
{
    /// <summary>max_position_embeddings and vocab_size of the folder's config.json, or null when it has none (a tokenizer-only folder).</summary>
    public static (int Positions, int Vocabulary)? Sizes(string folder)
    {
        string path = Path.Combine(folder, "config.json");
        if (!File.Exists(path)) return null;
        var config = HuggingFaceConfig.Read(path);
        return (config.Integer("max_position_embeddings", 1, SequenceModelOptions.MaximumPositions),
            config.Integer("vocab_size", 2, PretrainedFamily.MaximumVocabulary));
    }
}
