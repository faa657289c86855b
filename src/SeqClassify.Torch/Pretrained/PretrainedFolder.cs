namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// What a tokenizer must agree with in a pretrained folder's config.json, read without the weights:
/// the positions (no text may become more ids than the model has positions) and the vocabulary's size
/// (no id past the embedding table). BERT and DistilBERT name both alike.
/// </summary>
public static class PretrainedFolder
{
    /// <summary>
    /// Refuses a folder this process may not read, saying so: File.Exists is false for every file of it,
    /// which read as "has no config.json".
    /// </summary>
    public static void RequireReadable(string folder)
    {
        try
        {
            using var files = Directory.EnumerateFiles(folder).GetEnumerator();
            files.MoveNext();
        }
        catch (UnauthorizedAccessException)
        {
            throw new UnauthorizedAccessException($"pretrained model folder '{folder}' cannot be read by this process (permission denied)");
        }
    }

    /// <summary>max_position_embeddings and vocab_size of the folder's config.json, or null when it has none (a tokenizer-only folder).</summary>
    public static (int Positions, int Vocabulary)? Sizes(string folder)
    {
        RequireReadable(folder);
        string path = Path.Combine(folder, "config.json");
        if (!File.Exists(path)) return null;
        var config = HuggingFaceConfig.Read(path);
        return (config.Integer("max_position_embeddings", 1, SequenceModelOptions.MaximumPositions),
            config.Integer("vocab_size", 2, PretrainedFamily.MaximumVocabulary));
    }
}
