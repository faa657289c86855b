using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace SeqClassify.Bench;

/// <summary>The configurations a benchmark compares.</summary>
internal static class Configurations
{
    public static SequenceClassificationOptions Get(string name) => name switch
    {
        // torch_reference.py's defaults: the same model and optimiser, so that speed compares like for like.
        "reference" => new SequenceClassificationOptions
        {
            Cell = RnnCellType.Gru, Bidirectional = false, NumLayers = 1, EmbeddingDimension = 100, HiddenSize = 128,
            Pooling = SequencePooling.Last, Dropout = 0, EmbeddingDropout = 0, BatchSize = 32, LearningRate = 1e-3,
            Schedule = LearningRateSchedule.Constant, WarmupFraction = 0, GradientClipNorm = 0, BucketByLength = false,
            PretrainedEmbeddings = PretrainedModelKind.None, ValidationFraction = 0,
        },
        // The same, with length-bucketed batches: an optimisation of the training loop, not a model change.
        "reference-bucketed" => With(Get("reference"), o => o.BucketByLength = true),
        // What Trainers.SequenceClassification() and `seqclassify train` use with no options.
        "default" => new SequenceClassificationOptions(),
        // The default without its pretrained GloVe vectors, and without its automatic validation split:
        // what each is worth (bench/results/defaults.md).
        "default-scratch" => With(Get("default"), o => o.PretrainedEmbeddings = PretrainedModelKind.None),
        "default-no-validation" => With(Get("default"), o => o.ValidationFraction = 0),
        // bench/reference/torch_transformer_reference.py's model: d_model 128, 4 heads, feed-forward 512,
        // 2 post-norm ReLU layers, sinusoidal positions, mean pooling, no dropout; Adam at 1e-3, batch 32.
        "transformer-reference" => new SequenceClassificationOptions
        {
            Encoder = SequenceEncoder.Transformer, NumLayers = 2, EmbeddingDimension = 128, HiddenSize = 128, Heads = 4, FeedForwardSize = 512,
            Pooling = SequencePooling.Mean, Dropout = 0, EmbeddingDropout = 0, TransformerDropout = 0, BatchSize = 32, LearningRate = 1e-3,
            Schedule = LearningRateSchedule.Constant, WarmupFraction = 0, GradientClipNorm = 0, BucketByLength = false,
            PretrainedEmbeddings = PretrainedModelKind.None, ValidationFraction = 0,
        },
        // Issue 11's quality comparison: the default with a 2-layer Transformer encoder instead of the GRU
        // (everything else the default's: GloVe projected to the width 128, max pooling, dropouts, schedule),
        // from GloVe and from scratch; and the default GRU pooled by attention.
        "transformer" => With(Get("default"), o => { o.Encoder = SequenceEncoder.Transformer; o.NumLayers = 2; }),
        "transformer-scratch" => With(Get("transformer"), o => o.PretrainedEmbeddings = PretrainedModelKind.None),
        "attention" => With(Get("default"), o => o.Pooling = SequencePooling.Attention),
        _ => throw new ArgumentException($"unknown configuration '{name}' (reference, reference-bucketed, default, default-scratch, default-no-validation, transformer-reference, transformer, transformer-scratch, attention)"),
    };

    private static SequenceClassificationOptions With(SequenceClassificationOptions options, Action<SequenceClassificationOptions> change)
    {
        change(options);
        return options;
    }
}
