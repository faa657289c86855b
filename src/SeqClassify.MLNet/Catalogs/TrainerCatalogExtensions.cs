using System.ComponentModel;
using Microsoft.ML.Data;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace Microsoft.ML;

/// <summary>
/// SeqClassify's sequence models on ML.NET's catalogs: <c>mlContext.MulticlassClassification.Trainers</c> (one
/// class) and <c>mlContext.Regression.Trainers</c> (a score); one trainer whose encoder is a packed RNN (the
/// default), a Transformer, or a pretrained BERT or DistilBERT.
/// </summary>
public static class SeqClassifyTrainerCatalogExtensions
{
    /// <summary>
    /// A sequence classifier with the library's default configuration (a bidirectional GRU over GloVe
    /// 100d vectors, max pooling), or the settings given. Input: a key label column and a token-id column
    /// (MapTokensToIds). Output: Score (class probabilities) and PredictedLabel (key).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key label column (MapValueToKey).</param>
    /// <param name="featureColumnName">The token ids column.</param>
    /// <param name="cell">The recurrent cell; null = the default.</param>
    /// <param name="hiddenSize">Hidden units per direction; null = the default.</param>
    /// <param name="epochs">Passes over the data; null = the default.</param>
    /// <param name="batchSize">Rows per batch; null = the default.</param>
    /// <param name="learningRate">Peak AdamW learning rate; null = the default.</param>
    public static SequenceClassificationTrainer SequenceClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Ids",
        RnnCellType? cell = null, int? hiddenSize = null, int? epochs = null, int? batchSize = null, double? learningRate = null) =>
        SequenceClassification(catalog, Options(new SequenceClassificationOptions(), labelColumnName, featureColumnName, cell, hiddenSize, epochs, batchSize, learningRate));

    /// <summary>
    /// A sequence classifier with full options (every default is declared in <see cref="SequenceClassificationOptions"/>):
    /// the encoder (<see cref="SequenceClassificationOptions.Encoder"/>, <see cref="SequenceClassificationOptions.PretrainedModel"/>), the head, the optimiser.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The options, validated here before any data is read.</param>
    public static SequenceClassificationTrainer SequenceClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        SequenceClassificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SequenceClassificationTrainer(CatalogUtils.GetEnvironment(catalog), options);
    }

    /// <summary>
    /// A sequence regression: the sequence classifier's encoders with one output, the score, trained by mean
    /// squared error (or Huber, <see cref="SequenceModelOptions.HuberDelta"/>) on standardized targets and
    /// predicting in the label's own units (as Hugging Face's sequence classifiers with num_labels=1). Input: a
    /// Single label column and a token-id or feature-sequence column. Output: Score (Single), as ML.NET's
    /// regression trainers: evaluate with <c>mlContext.Regression.Evaluate</c>. <paramref name="options"/>'
    /// network is made a regression (<see cref="SequenceModelOptions.Task"/>); every other option is the classifier's.
    /// </summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="options">The options (null: the defaults), validated here before any data is read.</param>
    public static SequenceClassificationTrainer SequenceRegression(this RegressionCatalog.RegressionTrainers catalog, SequenceClassificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new SequenceClassificationOptions();
        options.Network.Task = SequenceTask.Regression;
        options.Network.NumClasses = 1;
        return new SequenceClassificationTrainer(CatalogUtils.GetEnvironment(catalog), options);
    }

    /// <summary>
    /// A multi-label sequence classifier: any subset of the labels per row (tags, topics, emotions), one sigmoid
    /// per label trained by binary cross-entropy (<see cref="SequenceClassificationOptions.ClassWeights"/>: each
    /// label's positive weight), as Hugging Face's problem_type "multi_label_classification". Input: a label column
    /// holding a vector of keys per row (e.g. the label names split by a separator, then MapValueToKey; an empty
    /// vector is a row with none of them) and a token-id or feature-sequence column. Output: Score (each label's
    /// probability, label names as slot names) and the predicted set, a vector of keys (PredictedLabels unless
    /// <see cref="SequenceClassificationOptions.PredictedLabelColumnName"/> is changed) from each label's decision
    /// threshold (<see cref="SequenceClassificationOptions.DecisionThreshold"/>). Evaluate with
    /// <see cref="SeqClassifyMultiLabelCatalogExtensions.EvaluateMultiLabel"/>. ML.NET has no multi-label catalog:
    /// this one sits with the multiclass trainers, where a one-label-per-row user looks first.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The options (null: the defaults), validated here before any data is read.</param>
    public static SequenceClassificationTrainer SequenceMultiLabel(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        SequenceClassificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new SequenceClassificationOptions();
        options.Network.Task = SequenceTask.MultiLabel;
        if (options.PredictedLabelColumnName == DefaultPredictedLabel) options.PredictedLabelColumnName = "PredictedLabels";
        return new SequenceClassificationTrainer(CatalogUtils.GetEnvironment(catalog), options);
    }

    private static readonly string DefaultPredictedLabel = new SequenceClassificationOptions().PredictedLabelColumnName;

    /// <summary>The former name of <see cref="SequenceClassification(MulticlassClassificationCatalog.MulticlassClassificationTrainers, string, string, RnnCellType?, int?, int?, int?, double?)"/>.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="featureColumnName">The token ids column.</param>
    /// <param name="cell">The recurrent cell; null = the default.</param>
    /// <param name="hiddenSize">Hidden units per direction; null = the default.</param>
    /// <param name="epochs">Passes over the data; null = the default.</param>
    /// <param name="batchSize">Rows per batch; null = the default.</param>
    /// <param name="learningRate">Peak AdamW learning rate; null = the default.</param>
    [Obsolete("Use Trainers.SequenceClassification: the trainer trains RNNs, Transformers and pretrained encoders alike.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static RnnTrainer Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Ids",
        RnnCellType? cell = null, int? hiddenSize = null, int? epochs = null, int? batchSize = null, double? learningRate = null) =>
        Rnn(catalog, Options(new RnnTrainerOptions(), labelColumnName, featureColumnName, cell, hiddenSize, epochs, batchSize, learningRate));

    /// <summary>The former name of <see cref="SequenceClassification(MulticlassClassificationCatalog.MulticlassClassificationTrainers, SequenceClassificationOptions)"/>.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The options.</param>
    [Obsolete("Use Trainers.SequenceClassification: the trainer trains RNNs, Transformers and pretrained encoders alike.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static RnnTrainer Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RnnTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RnnTrainer(CatalogUtils.GetEnvironment(catalog), options);
    }

    private static T Options<T>(T options, string labelColumnName, string featureColumnName, RnnCellType? cell, int? hiddenSize, int? epochs,
        int? batchSize, double? learningRate) where T : SequenceClassificationOptions
    {
        options.LabelColumnName = labelColumnName;
        options.FeatureColumnName = featureColumnName;
        if (cell is { } c) options.Cell = c;
        if (hiddenSize is { } h) options.HiddenSize = h;
        if (epochs is { } e) options.Epochs = e;
        if (batchSize is { } b) options.BatchSize = b;
        if (learningRate is { } lr) options.LearningRate = lr;
        return options;
    }

    /// <summary>
    /// Fine-tunes a pretrained BERT or DistilBERT folder (Hugging Face format) on text, as ML.NET's
    /// TextClassification does: the sentence column(s) as strings, tokenized inside with the folder's
    /// tokenizer; two columns make sentence pairs. Hugging Face's recipe (<see cref="SequenceClassificationOptions.FineTuning(string)"/>)
    /// unless <paramref name="options"/> are given. Output: Score and PredictedLabel (key), as SequenceClassification's.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="folder">The Hugging Face folder: config.json, model.safetensors, vocab.txt.</param>
    /// <param name="labelColumnName">The key label column (MapValueToKey).</param>
    /// <param name="sentence1ColumnName">The text column.</param>
    /// <param name="sentence2ColumnName">A second text column, for sentence pairs; null for single texts.</param>
    /// <param name="maximumLength">The most ids per row, [CLS] and [SEP] included; at most the model's positions. 0: 128, or the
    /// model's positions where it has fewer.</param>
    /// <param name="options">The fine-tuning options; start from <see cref="SequenceClassificationOptions.FineTuning(string)"/> with the same folder.</param>
    public static PretrainedTextClassificationTrainer PretrainedTextClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string folder, string labelColumnName = "Label", string sentence1ColumnName = "Sentence1", string? sentence2ColumnName = null,
        int maximumLength = 0, SequenceClassificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PretrainedTextClassificationTrainer(CatalogUtils.GetEnvironment(catalog), folder, labelColumnName, sentence1ColumnName,
            sentence2ColumnName, maximumLength, options);
    }
}

/// <summary>The evaluation of a multi-label model (<see cref="SeqClassifyTrainerCatalogExtensions.SequenceMultiLabel"/>), which ML.NET's catalogs lack.</summary>
public static class SeqClassifyMultiLabelCatalogExtensions
{
    /// <summary>
    /// F1 micro- and macro-averaged, per-label precision, recall and F1, Hamming loss, subset accuracy and
    /// label-ranking average precision of a scored view, as scikit-learn computes them.
    /// </summary>
    /// <param name="catalog">The multiclass catalog.</param>
    /// <param name="data">The scored view: the label sets, the probabilities, the predicted sets.</param>
    /// <param name="labelColumnName">Each row's labels: a vector of keys.</param>
    /// <param name="scoreColumnName">Each label's probability: a vector of Single.</param>
    /// <param name="predictedLabelColumnName">The predicted labels: a vector of keys.</param>
    public static SeqClassify.MLNet.Evaluation.MultiLabelMetrics EvaluateMultiLabel(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabels")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        return SeqClassify.MLNet.Evaluation.MultiLabelEvaluator.Evaluate(data, labelColumnName, scoreColumnName, predictedLabelColumnName);
    }
}
