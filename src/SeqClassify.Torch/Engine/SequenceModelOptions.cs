namespace SeqClassify.Torch;

/// <summary>
/// Architecture and optimiser settings of a <see cref="SequenceClassifierModel"/>: the one definition
/// of every network option, its default and its range. The trainer (SequenceClassificationOptions) exposes these
/// same objects, and the native engine's config (native/abi/sc_model.h) is written from them field by
/// field by name, so an option is declared once, here, and in the engine's field list.
/// The defaults are the library's default configuration (bench/results/defaults.md): a bidirectional
/// GRU, embedding 100, hidden 128, one layer, max pooling, dropout 0.3 before the head and 0.2 on the
/// embedded tokens, gradient clipping at 5, AdamW with PyTorch's betas 0.9/0.999 and eps 1e-8. The
/// PyTorch tutorial's model is Bidirectional = false, Pooling = Last, no dropout, no clipping.
/// </summary>
public sealed class SequenceModelOptions
{
    /// <summary>The Transformer's default number of attention heads.</summary>
    public const int DefaultHeads = 4;

    /// <summary>The Transformer's default feed-forward width.</summary>
    public const int DefaultFeedForwardSize = 512;

    /// <summary>The Transformer's default longest sequence.</summary>
    public const int DefaultMaxPositions = 512;

    /// <summary>The Transformer layers' default dropout (nn.TransformerEncoderLayer's).</summary>
    public const float DefaultTransformerDropout = 0.1f;

    /// <summary>A recurrent network (the default) or a Transformer encoder.</summary>
    public SequenceEncoder Encoder { get; set; } = SequenceEncoder.Rnn;

    /// <summary>Token vocabulary size including &lt;pad&gt; (0) and &lt;unk&gt; (1); 0 for feature-vector input.</summary>
    public int VocabularySize { get; set; }

    /// <summary>Embedding dimension for token input, or floats per step for feature input.</summary>
    public int InputSize { get; set; } = 100;

    /// <summary>RNN: hidden units per direction. Transformer: the model width (d_model), divisible by <see cref="Heads"/>.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Stacked recurrent layers, or Transformer encoder layers.</summary>
    public int NumLayers { get; set; } = 1;

    /// <summary>Transformer: attention heads per layer.</summary>
    public int Heads { get; set; } = DefaultHeads;

    /// <summary>Transformer: inner width of each layer's feed-forward block (dim_feedforward).</summary>
    public int FeedForwardSize { get; set; } = DefaultFeedForwardSize;

    /// <summary>Transformer: the longest sequence the model takes (the positional table's length); a longer one is refused.</summary>
    public int MaxPositions { get; set; } = DefaultMaxPositions;

    /// <summary>Transformer: sinusoidal (fixed) or learned positions.</summary>
    public PositionalEncoding PositionalEncoding { get; set; } = PositionalEncoding.Sinusoidal;

    /// <summary>Transformer: the feed-forward activation.</summary>
    public TransformerActivation Activation { get; set; } = TransformerActivation.Relu;

    /// <summary>Transformer: LayerNorm before each block (pre-norm, with a final LayerNorm) instead of after (PyTorch's default).</summary>
    public bool NormFirst { get; set; }

    /// <summary>Transformer: dropout inside each layer (attention weights, after each block, inside the feed-forward block).</summary>
    public float TransformerDropout { get; set; } = DefaultTransformerDropout;

    /// <summary>
    /// Transformer: <see cref="TransformerDropout"/> also after the feed-forward activation, as
    /// nn.TransformerEncoderLayer does (true); BERT drops out only after each block's output (false).
    /// </summary>
    public bool FeedForwardInnerDropout { get; set; } = true;

    /// <summary>Transformer: the eps of every LayerNorm (PyTorch's 1e-5; BERT's configs say 1e-12).</summary>
    public double LayerNormEpsilon { get; set; } = 1e-5;

    /// <summary>Transformer: multiply embedded tokens by sqrt(<see cref="InputSize"/>) before the positions are added (PyTorch's Transformer tutorial); BERT does not.</summary>
    public bool ScaleEmbedding { get; set; } = true;

    /// <summary>Transformer: a LayerNorm ("embedding_norm") over the embedded tokens plus positions, before dropout, as BERT's embeddings have.</summary>
    public bool EmbeddingNorm { get; set; }

    /// <summary>
    /// Transformer with token input: rows of a learned token-type (segment) embedding added with the
    /// positions ("token_type.weight"), as BERT's token_type_embeddings; a batch gives each position's type
    /// (<see cref="SequenceBatch.WithTokenTypes(long[])"/>), type 0 where it gives none. 0: none.
    /// </summary>
    public int TokenTypes { get; set; }

    /// <summary>
    /// With <see cref="TokenTypes"/>: a batch that gives no token types gets type 0 up to and including
    /// each row's first id of this value and type 1 after it, as BERT's sentence pairs ([CLS] a [SEP] b
    /// [SEP]) are typed; a pretrained folder sets it to its [SEP]. 0: type 0 throughout.
    /// </summary>
    public long SegmentSeparatorId { get; set; }

    /// <summary>Run a second RNN backwards over each sequence and concatenate.</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>The recurrent cell.</summary>
    public RnnCellType Cell { get; set; } = RnnCellType.Gru;

    /// <summary>How per-step outputs become one vector per sequence.</summary>
    public SequencePooling Pooling { get; set; } = SequencePooling.Max;

    /// <summary>Hidden units of an optional ReLU layer before the output layer; 0 = a single linear layer.</summary>
    public int HeadHiddenSize { get; set; }

    /// <summary>What the model answers: one class (the default), a set of labels, or a score.</summary>
    public SequenceTask Task { get; set; } = SequenceTask.SingleLabel;

    /// <summary>The head's outputs: classes (at least 2), labels of a multi-label model (at least 1), or 1 for a regression.</summary>
    public int NumClasses { get; set; } = 2;

    /// <summary>Dropout on the embedded steps (with a Transformer, after the positions are added).</summary>
    public float EmbeddingDropout { get; set; } = 0.2f;

    /// <summary>Dropout between stacked RNN layers (ignored with one layer, as in PyTorch).</summary>
    public float RnnDropout { get; set; }

    /// <summary>Dropout on the pooled vector before the head.</summary>
    public float Dropout { get; set; } = 0.3f;

    /// <summary>Optional [VocabularySize x InputSize] row-major matrix that initialises the embedding.</summary>
    public float[]? PretrainedEmbeddings { get; set; }

    /// <summary>Keep the embedding fixed during training: the <see cref="PretrainedEmbeddings"/> it starts from (token input only; a reloaded model keeps it frozen).</summary>
    public bool FreezeEmbeddings { get; set; }

    /// <summary>
    /// Optional per-class cross-entropy weights (length <see cref="NumClasses"/>); for a multi-label model,
    /// each label's positive weight (BCEWithLogitsLoss's pos_weight: above 1 favours recall of a rare label).
    /// </summary>
    public float[]? ClassWeights { get; set; }

    /// <summary>Cross-entropy label smoothing in [0, 1] (single label only).</summary>
    public float LabelSmoothing { get; set; }

    /// <summary>How the outputs of a long text's windows become the text's (batches whose rows are windows of documents).</summary>
    public WindowPooling WindowPooling { get; set; } = WindowPooling.Mean;

    /// <summary>Regression: 0 trains by mean squared error (nn.MSELoss); above 0, by the Huber loss with this delta (nn.HuberLoss), less moved by outliers.</summary>
    public float HuberDelta { get; set; }

    /// <summary>AdamW β1.</summary>
    public float AdamBeta1 { get; set; } = 0.9f;

    /// <summary>AdamW β2.</summary>
    public float AdamBeta2 { get; set; } = 0.999f;

    /// <summary>AdamW ε.</summary>
    public float AdamEpsilon { get; set; } = 1e-8f;

    /// <summary>AdamW decoupled weight decay (0 makes it Adam).</summary>
    public float WeightDecay { get; set; }

    /// <summary>
    /// Apply <see cref="WeightDecay"/> to every parameter (true, as torch.optim.AdamW over
    /// model.parameters()), or not to rank-1 parameters, the biases and LayerNorm weights (false, as
    /// Hugging Face's Trainer does when fine-tuning).
    /// </summary>
    public bool DecayBiasesAndNorms { get; set; } = true;

    /// <summary>Clip the global gradient norm to this value; 0 turns clipping off.</summary>
    public float GradientClipNorm { get; set; } = 5f;

    /// <summary>Seeds initialisation and dropout.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>A copy whose arrays are copied too.</summary>
    public SequenceModelOptions Clone()
    {
        var copy = (SequenceModelOptions)MemberwiseClone();
        copy.PretrainedEmbeddings = (float[]?)PretrainedEmbeddings?.Clone();
        copy.ClassWeights = (float[]?)ClassWeights?.Clone();
        return copy;
    }

    /// <summary>
    /// Checks the options the encoder ties together (the engine checks them again, for callers of its C
    /// ABI): throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of range. Cheap:
    /// run it before any data is read.
    /// </summary>
    public void ValidateArchitecture()
    {
        static void Defined<T>(T value, string name) where T : struct, Enum
        {
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} is not a {typeof(T).Name}.");
        }
        Defined(Encoder, nameof(Encoder));
        Defined(Cell, nameof(Cell));
        Defined(Pooling, nameof(Pooling));
        Defined(PositionalEncoding, nameof(PositionalEncoding));
        Defined(Activation, nameof(Activation));
        Defined(Task, nameof(Task));
        Defined(WindowPooling, nameof(WindowPooling));
        // The head's outputs by task: classes, labels, or the one score of a regression.
        int fewestOutputs = Task == SequenceTask.MultiLabel ? 1 : 2;
        if (Task == SequenceTask.Regression ? NumClasses != 1 : NumClasses < fewestOutputs)
        {
            throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, Task == SequenceTask.Regression
                ? $"A regression has one output: NumClasses must be 1, got {NumClasses}."
                : $"NumClasses must be at least {fewestOutputs} for a {Task} model, got {NumClasses}.");
        }
        if (LabelSmoothing != 0 && Task != SequenceTask.SingleLabel)
        {
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, $"LabelSmoothing is cross-entropy's: a {Task} model has none.");
        }
        if (!(HuberDelta >= 0 && float.IsFinite(HuberDelta)) || (HuberDelta != 0 && Task != SequenceTask.Regression))
        {
            throw new ArgumentOutOfRangeException(nameof(HuberDelta), HuberDelta, "HuberDelta must be finite and at least 0, and set only for a Regression model.");
        }
        // The Transformer's options are checked whatever the encoder: a bad value is a mistake either way.
        static void InRange(int value, int low, int high, string name)
        {
            if (value < low || value > high) throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {low} and {high:N0}, got {value}.");
        }
        // Sizes are bounded before anything is allocated: a typo (--hidden 160000) is a clear error, not "out of memory".
        InRange(HiddenSize, 1, MaximumWidth, nameof(HiddenSize));
        InRange(InputSize, 1, MaximumWidth, nameof(InputSize));
        InRange(NumLayers, 1, MaximumLayers, nameof(NumLayers));
        InRange(HeadHiddenSize, 0, MaximumWidth, nameof(HeadHiddenSize));
        InRange(Heads, 1, MaximumHeads, nameof(Heads));
        InRange(FeedForwardSize, 1, MaximumWidth, nameof(FeedForwardSize));
        InRange(MaxPositions, 1, MaximumPositions, nameof(MaxPositions));
        if (!(LayerNormEpsilon > 0 && LayerNormEpsilon < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(LayerNormEpsilon), LayerNormEpsilon, $"LayerNormEpsilon must be in (0, 1), got {LayerNormEpsilon}.");
        }
        if (!(TransformerDropout >= 0 && TransformerDropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TransformerDropout), TransformerDropout, $"TransformerDropout must be in [0, 1), got {TransformerDropout}.");
        }
        InRange(TokenTypes, 0, MaximumTokenTypes, nameof(TokenTypes));
        // (The engine checks the id against the vocabulary, which the data may decide later.)
        if (SegmentSeparatorId < 0 || (SegmentSeparatorId > 0 && TokenTypes < 2))
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentSeparatorId), SegmentSeparatorId,
                $"SegmentSeparatorId must be 0, or a token id with at least 2 TokenTypes (TokenTypes is {TokenTypes}).");
        }
        long parameters = MinimumParameterCount();
        if (parameters > MaximumParameters)
        {
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize,
                $"the network would have at least {parameters:N0} parameters (VocabularySize {VocabularySize}, InputSize {InputSize}, HiddenSize {HiddenSize}, " +
                $"NumLayers {NumLayers}), more than the engine's {MaximumParameters:N0}.");
        }
        if (Encoder != SequenceEncoder.Transformer)
        {
            if (Pooling == SequencePooling.ClsPooler) throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "ClsPooler (BERT's pooler) needs a Transformer encoder.");
            if (TokenTypes != 0) throw new ArgumentOutOfRangeException(nameof(TokenTypes), TokenTypes, "TokenTypes need a Transformer encoder.");
            return;
        }
        if (Pooling == SequencePooling.Last)
        {
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "A Transformer has no final hidden state: pool by Mean, Max, First, Attention or ClsPooler.");
        }
        if (HiddenSize % Heads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Heads), Heads, $"Heads ({Heads}) must divide HiddenSize ({HiddenSize}), the Transformer's model width.");
        }
    }

    /// <summary>
    /// A lower bound of the network's parameter count, from its largest weights alone (the embedding
    /// table, the recurrent or attention and feed-forward matrices, learned positions): what a saved
    /// model's weights must hold at least, checked before the network is allocated. Saturates rather than overflows.
    /// </summary>
    public long MinimumParameterCount()
    {
        static long Times(long a, long b) => a == 0 || b <= long.MaxValue / a ? a * b : long.MaxValue;
        static long Plus(long a, long b) => a <= long.MaxValue - b ? a + b : long.MaxValue;
        long hidden = Math.Max(HiddenSize, 0), layers = Math.Max(NumLayers, 0);
        // A Transformer may embed at InputSize and project, or embed at its width: the smaller is certain.
        long embedding = Math.Max(Encoder == SequenceEncoder.Transformer ? Math.Min(InputSize, HiddenSize) : InputSize, 0);
        long count = Times(Math.Max(VocabularySize, 0), embedding);
        if (Encoder == SequenceEncoder.Rnn)
        {
            long gates = Cell switch { RnnCellType.Gru => 3, RnnCellType.Lstm => 4, _ => 1 };
            count = Plus(count, Times(Times(layers, Bidirectional ? 2 : 1), Times(gates, Times(hidden, hidden))));
        }
        else
        {
            long perLayer = Plus(Times(4, Times(hidden, hidden)), Times(2, Times(hidden, Math.Max(FeedForwardSize, 0))));
            count = Plus(count, Times(layers, perLayer));
            if (PositionalEncoding == PositionalEncoding.Learned) count = Plus(count, Times(Math.Max(MaxPositions, 0), hidden));
        }
        return Plus(count, Math.Max(NumClasses, 0));
    }

    /// <summary>The most parameters a network may have (8 GB of float32 weights, four times that to train).</summary>
    public const long MaximumParameters = 1L << 31;

    /// <summary>The most layers an encoder may stack.</summary>
    public const int MaximumLayers = 256;

    /// <summary>The most token types (segments) a Transformer may have.</summary>
    public const int MaximumTokenTypes = 1024;

    /// <summary>The most attention heads a Transformer may have.</summary>
    public const int MaximumHeads = 1024;

    /// <summary>The widest layer: <see cref="FeedForwardSize"/>, <see cref="HiddenSize"/>, <see cref="InputSize"/>, <see cref="HeadHiddenSize"/>.</summary>
    public const int MaximumWidth = 65536;

    /// <summary>
    /// The longest <see cref="MaxPositions"/>: a sinusoidal or learned table of this many rows is made
    /// with the model, and attention costs the square of a sequence's length.
    /// </summary>
    public const int MaximumPositions = 65536;

    /// <summary>Checks lengths of the optional arrays, which the engine cannot see.</summary>
    internal void ValidateArrays()
    {
        if (PretrainedEmbeddings is not null && PretrainedEmbeddings.LongLength != (long)VocabularySize * InputSize)
        {
            throw new ArgumentException(
                $"PretrainedEmbeddings holds {PretrainedEmbeddings.LongLength} floats; VocabularySize {VocabularySize} x InputSize {InputSize} = {(long)VocabularySize * InputSize} expected.",
                nameof(PretrainedEmbeddings));
        }
        if (ClassWeights is not null && Task == SequenceTask.Regression)
        {
            throw new ArgumentException("ClassWeights weigh classes or labels: a Regression model has none.", nameof(ClassWeights));
        }
        if (ClassWeights is not null && ClassWeights.Length != NumClasses)
        {
            throw new ArgumentException(
                $"ClassWeights holds {ClassWeights.Length} weights; NumClasses is {NumClasses}.", nameof(ClassWeights));
        }
    }
}
