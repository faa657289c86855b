namespace SeqClassify.Torch;

/// <summary>The recurrent cell. Values match sc_cell in native/sc_model.h.</summary>
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

/// <summary>How the RNN's outputs become one vector per sequence. Values match sc_pooling.</summary>
public enum SequencePooling
{
    /// <summary>Final hidden state of the last layer; both directions concatenated when bidirectional.</summary>
    Last = 0,
    /// <summary>Mean of the last layer's outputs over the valid (unpadded) steps.</summary>
    Mean = 1,
    /// <summary>Element-wise maximum of the last layer's outputs over the valid steps.</summary>
    Max = 2,
}

/// <summary>What a forward pass returns per row.</summary>
public enum ModelOutput
{
    /// <summary>Unnormalised class scores.</summary>
    Logits = 0,
    /// <summary>Softmax of the logits: class probabilities that sum to 1.</summary>
    Probabilities = 1,
}
