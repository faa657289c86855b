namespace SeqClassify.MLNet.Training;

/// <summary>
/// Pretrained word vectors the trainer can start its embedding from, by name (as ML.NET's
/// <c>WordEmbeddingEstimator.PretrainedModelKind</c>). They are fetched once into a local cache
/// (<see cref="PretrainedEmbeddingStore"/>); a trained model holds its own copy of the vectors of its
/// vocabulary, so loading and predicting never need them.
/// </summary>
public enum PretrainedModelKind
{
    /// <summary>No pretrained vectors: the embedding starts from N(0, 1), as nn.Embedding's.</summary>
    None,

    /// <summary>
    /// GloVe 6B, 100 dimensions (Wikipedia 2014 + Gigaword 5, lower-cased; Pennington, Socher and
    /// Manning, 2014; Public Domain Dedication and License). 341,479 words.
    /// </summary>
    GloVe100D,
}
