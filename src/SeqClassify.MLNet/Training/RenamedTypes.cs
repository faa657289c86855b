using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace SeqClassify.MLNet.Training;

// The first names of the trainer and its options, from when it trained RNNs only. Kept so that code
// written against them compiles and runs as before (ML.NET renames the same way); saved models never
// carried these names (the classifier's loader is SeqClassifyRnnClassifier, which stays).

/// <summary>The former name of <see cref="SequenceClassificationTrainer"/>.</summary>
[Obsolete("Use SequenceClassificationTrainer: it trains RNNs, Transformers and pretrained encoders alike.")]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RnnTrainer : SequenceClassificationTrainer
{
    internal RnnTrainer(IHostEnvironment env, SequenceClassificationOptions options) : base(env, options)
    {
    }
}

/// <summary>The former name of <see cref="SequenceClassificationOptions"/>.</summary>
[Obsolete("Use SequenceClassificationOptions: they configure RNNs, Transformers and pretrained encoders alike.")]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RnnTrainerOptions : SequenceClassificationOptions
{
    /// <summary>The former <see cref="SequenceClassificationOptions.FineTuning(string)"/>.</summary>
    /// <param name="pretrainedModel">The Hugging Face folder.</param>
    public static new RnnTrainerOptions FineTuning(string pretrainedModel) => FineTuning(new RnnTrainerOptions(), pretrainedModel);
}
