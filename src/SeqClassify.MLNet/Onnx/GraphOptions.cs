using SeqClassify.Torch;

namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// Every network option by what the ONNX graph does with it: read by the graph builders (ClassifierGraph,
/// RecurrentGraph, TransformerGraph), or not in the graph, and why. A test checks that each option of
/// <see cref="SequenceModelOptions"/> is in one of the two, and that the builders read exactly the first: an
/// option added to the network that changes predictions fails it until the graph reads it or says why not.
/// </summary>
internal static class GraphOptions
{
    public static readonly IReadOnlySet<string> Read = new HashSet<string>
    {
        nameof(SequenceModelOptions.Encoder), nameof(SequenceModelOptions.Task), nameof(SequenceModelOptions.VocabularySize),
        nameof(SequenceModelOptions.InputSize), nameof(SequenceModelOptions.HiddenSize), nameof(SequenceModelOptions.NumLayers),
        nameof(SequenceModelOptions.HeadHiddenSize), nameof(SequenceModelOptions.NumClasses), nameof(SequenceModelOptions.Cell),
        nameof(SequenceModelOptions.Pooling), nameof(SequenceModelOptions.Bidirectional), nameof(SequenceModelOptions.Heads),
        nameof(SequenceModelOptions.FeedForwardSize), nameof(SequenceModelOptions.MaxPositions),
        nameof(SequenceModelOptions.Activation), nameof(SequenceModelOptions.NormFirst), nameof(SequenceModelOptions.LayerNormEpsilon),
        nameof(SequenceModelOptions.ScaleEmbedding), nameof(SequenceModelOptions.EmbeddingNorm), nameof(SequenceModelOptions.TokenTypes),
        nameof(SequenceModelOptions.SegmentSeparatorId),
    };

    public static readonly IReadOnlyDictionary<string, string> NotInTheGraph = new Dictionary<string, string>
    {
        [nameof(SequenceModelOptions.EmbeddingDropout)] = "dropout is training's; inference has none",
        [nameof(SequenceModelOptions.RnnDropout)] = "dropout is training's",
        [nameof(SequenceModelOptions.Dropout)] = "dropout is training's",
        [nameof(SequenceModelOptions.TransformerDropout)] = "dropout is training's",
        [nameof(SequenceModelOptions.FeedForwardInnerDropout)] = "dropout is training's",
        [nameof(SequenceModelOptions.PretrainedEmbeddings)] = "the vectors are in the weights the graph holds",
        [nameof(SequenceModelOptions.FreezeEmbeddings)] = "whether training moved the embedding; the graph holds it as it is",
        [nameof(SequenceModelOptions.ClassWeights)] = "the loss's",
        [nameof(SequenceModelOptions.LabelSmoothing)] = "the loss's",
        [nameof(SequenceModelOptions.HuberDelta)] = "the loss's",
        [nameof(SequenceModelOptions.AdamBeta1)] = "the optimiser's",
        [nameof(SequenceModelOptions.AdamBeta2)] = "the optimiser's",
        [nameof(SequenceModelOptions.AdamEpsilon)] = "the optimiser's",
        [nameof(SequenceModelOptions.WeightDecay)] = "the optimiser's",
        [nameof(SequenceModelOptions.DecayBiasesAndNorms)] = "the optimiser's",
        [nameof(SequenceModelOptions.GradientClipNorm)] = "the optimiser's",
        [nameof(SequenceModelOptions.Seed)] = "initialisation's and dropout's",
        [nameof(SequenceModelOptions.PositionalEncoding)] = "the graph writes the engine's own position table (SequenceClassifierModel.PositionTable), learned or sinusoidal",
        [nameof(SequenceModelOptions.WindowPooling)] = "a model that reads windows is refused by the exporter (ClassifierOnnxExport.NoWindows)",
    };
}
