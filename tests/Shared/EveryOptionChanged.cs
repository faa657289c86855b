using SeqClassify.Torch;

namespace SeqClassify.Testing;

/// <summary>
/// The one "every option changed" fixture of the suites (the engine's OptionTests, the plugin's
/// OptionRoundTripTests, the CLI's NetworkOptionTests): every option of <see cref="SequenceModelOptions"/>
/// away from its default, in a combination the engine accepts (a learned-position, pre-norm GELU
/// Transformer pooled by attention, over 20 token ids with 6-dimensional vectors). An option added to
/// SequenceModelOptions fails each suite's "sets every option" check until it is set here, once.
/// </summary>
internal static class EveryOptionChanged
{
    public static SequenceModelOptions Network(int classes = 3) => new()
    {
        Encoder = SequenceEncoder.Transformer, VocabularySize = 20, InputSize = 6, HiddenSize = 12, NumLayers = 2, Heads = 3,
        FeedForwardSize = 20, MaxPositions = 40, PositionalEncoding = PositionalEncoding.Learned, Activation = TransformerActivation.Gelu,
        NormFirst = true, TransformerDropout = 0.05f, LayerNormEpsilon = 1e-12, ScaleEmbedding = false, EmbeddingNorm = true, Bidirectional = false,
        Cell = RnnCellType.Lstm, Pooling = SequencePooling.Attention, HeadHiddenSize = 7, NumClasses = classes, EmbeddingDropout = 0.15f, RnnDropout = 0.25f,
        Dropout = 0.35f, PretrainedEmbeddings = Enumerable.Range(0, 20 * 6).Select(i => i / 100f).ToArray(), FreezeEmbeddings = true,
        ClassWeights = Enumerable.Range(1, classes).Select(i => (float)i).ToArray(), LabelSmoothing = 0.1f, AdamBeta1 = 0.8f, AdamBeta2 = 0.99f,
        AdamEpsilon = 1e-6f, WeightDecay = 0.01f, DecayBiasesAndNorms = false, GradientClipNorm = 2f, Seed = 42, FeedForwardInnerDropout = false,
        TokenTypes = 2, SegmentSeparatorId = 3, WindowPooling = WindowPooling.Max,
    };

    /// <summary>
    /// The options a single-label network cannot take (<see cref="Network"/> keeps their defaults): each is
    /// away from its default in <see cref="Regression"/>. The suites' checks allow these, and only these,
    /// to keep their defaults in <see cref="Network"/>.
    /// </summary>
    public static readonly string[] OfOtherTasks = [nameof(SequenceModelOptions.Task), nameof(SequenceModelOptions.HuberDelta)];

    /// <summary><see cref="Network"/> as a regression: one output, Huber's loss, and neither label smoothing nor class weights (single-label options).</summary>
    public static SequenceModelOptions Regression()
    {
        var options = Network(classes: 1);
        options.Task = SequenceTask.Regression;
        options.HuberDelta = 0.5f;
        options.LabelSmoothing = 0;
        options.ClassWeights = null;
        return options;
    }

    /// <summary>Writes every option of <paramref name="from"/> into <paramref name="to"/> (a trainer's Network, which cannot be replaced).</summary>
    public static void CopyInto(SequenceModelOptions from, SequenceModelOptions to)
    {
        foreach (var property in typeof(SequenceModelOptions).GetProperties().Where(p => p.CanWrite)) property.SetValue(to, property.GetValue(from));
    }
}
