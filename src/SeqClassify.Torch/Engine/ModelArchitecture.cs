namespace SeqClassify.Torch;

/// <summary>The recurrent cell. Passed as sc_cell (native/abi/sc_model.h); checked against the library at load.</summary>
public enum RnnCellType
{
    /// <summary>Elman RNN with tanh (PyTorch nn.RNN's default).</summary>
    Rnn = 0,
    /// <summary>Elman RNN with ReLU (nn.RNN(nonlinearity='relu')).</summary>
    RnnRelu = 1,
    /// <summary>Gated recurrent unit (nn.GRU).</summary>
    Gru = 2,
    /// <summary>Long short-term memory (nn.LSTM); its hidden state h, not c, is pooled.</summary>
    Lstm = 3,
}

/// <summary>What turns embedded steps into per-step outputs. Passed as sc_encoder; checked against the library at load.</summary>
public enum SequenceEncoder
{
    /// <summary>A packed recurrent network (<see cref="RnnCellType"/>), uni- or bidirectional, stacked.</summary>
    Rnn = 0,
    /// <summary>A Transformer encoder (nn.TransformerEncoder): multi-head self-attention over the valid steps.</summary>
    Transformer = 1,
}

/// <summary>The Transformer's position signal. Passed as sc_positional; checked against the library at load.</summary>
public enum PositionalEncoding
{
    /// <summary>Fixed sines and cosines of "Attention Is All You Need" (PyTorch's tutorial).</summary>
    Sinusoidal = 0,
    /// <summary>A learned vector per position (nn.Embedding(MaxPositions, HiddenSize)).</summary>
    Learned = 1,
}

/// <summary>The Transformer feed-forward block's activation. Passed as sc_activation; checked against the library at load.</summary>
public enum TransformerActivation
{
    /// <summary>ReLU (nn.TransformerEncoderLayer's default).</summary>
    Relu = 0,
    /// <summary>GELU (exact, erf-based, as torch.nn.functional.gelu).</summary>
    Gelu = 1,
}

/// <summary>How the encoder's outputs become one vector per sequence. Passed as sc_pooling; checked against the library at load.</summary>
public enum SequencePooling
{
    /// <summary>RNN only: final hidden state of the last layer; both directions concatenated when bidirectional.</summary>
    Last = 0,
    /// <summary>Mean of the last layer's outputs over the valid (unpadded) steps.</summary>
    Mean = 1,
    /// <summary>Element-wise maximum of the last layer's outputs over the valid steps.</summary>
    Max = 2,
    /// <summary>The output at the first position (with a Transformer, a summary position; with a bidirectional RNN, the backward direction's final state beside the forward one's first).</summary>
    First = 3,
    /// <summary>
    /// Learned additive attention over the valid steps (score = v·tanh(W·x + b), softmax, weighted sum);
    /// the weights of a prediction can be read back (<see cref="SequenceClassifierModel.PredictWithAttention"/>).
    /// </summary>
    Attention = 4,
    /// <summary>
    /// Transformer only: BERT's pooler, tanh(W·x + b) of the first position's output ("[CLS]"), with its
    /// own dense layer ("pooler.dense"; a pretrained folder's pooler when it has one). The CLI's cls-pooler.
    /// </summary>
    ClsPooler = 5,
}

/// <summary>What a forward pass returns per row.</summary>
public enum ModelOutput
{
    /// <summary>The head's raw outputs: unnormalised class or label scores, or the regression's score.</summary>
    Logits = 0,
    /// <summary>What the <see cref="SequenceTask"/> reads from them: class probabilities that sum to 1 (softmax), each label's probability (sigmoid), or the score itself.</summary>
    Probabilities = 1,
}

/// <summary>
/// How the head's outputs of a long text's windows (rows of one document, <see cref="SequenceBatch.WithDocuments"/>)
/// become the text's. Passed as sc_window_pooling; checked against the library at load.
/// </summary>
public enum WindowPooling
{
    /// <summary>Their mean.</summary>
    Mean = 0,
    /// <summary>Their element-wise maximum (a label or class any window shows strongly).</summary>
    Max = 1,
}

/// <summary>
/// What the head's outputs mean and what trains them (Hugging Face's problem_type). Passed as sc_task;
/// checked against the library at load.
/// </summary>
public enum SequenceTask
{
    /// <summary>One class of <see cref="SequenceModelOptions.NumClasses"/>: softmax and cross-entropy.</summary>
    SingleLabel = 0,
    /// <summary>Any subset of <see cref="SequenceModelOptions.NumClasses"/> labels: a sigmoid each and binary cross-entropy (BCEWithLogitsLoss).</summary>
    MultiLabel = 1,
    /// <summary>One score (NumClasses 1): the output itself, trained by mean squared error (or Huber, <see cref="SequenceModelOptions.HuberDelta"/>).</summary>
    Regression = 2,
}
