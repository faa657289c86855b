using Microsoft.ML.Data;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

namespace Microsoft.ML;

/// <summary>SeqClassify's RNN trainer on ML.NET's <c>mlContext.MulticlassClassification.Trainers</c> catalog.</summary>
public static class SeqClassifyTrainerCatalogExtensions
{
    /// <summary>
    /// A packed RNN/GRU/LSTM classifier with the library's default configuration (bidirectional GRU
    /// over GloVe 100d vectors, max pooling), or the settings given. Input: a key label column and a
    /// token-id column (MapTokensToIds). Output: Score (class probabilities) and PredictedLabel (key).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key label column (MapValueToKey).</param>
    /// <param name="featureColumnName">The token ids column.</param>
    /// <param name="cell">The recurrent cell; null = the default.</param>
    /// <param name="hiddenSize">Hidden units per direction; null = the default.</param>
    /// <param name="epochs">Passes over the data; null = the default.</param>
    /// <param name="batchSize">Rows per batch; null = the default.</param>
    /// <param name="learningRate">Peak AdamW learning rate; null = the default.</param>
    public static RnnTrainer Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Ids",
        RnnCellType? cell = null, int? hiddenSize = null, int? epochs = null, int? batchSize = null, double? learningRate = null)
    {
        var options = new RnnTrainerOptions { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName };
        if (cell is { } c) options.Cell = c;
        if (hiddenSize is { } h) options.HiddenSize = h;
        if (epochs is { } e) options.Epochs = e;
        if (batchSize is { } b) options.BatchSize = b;
        if (learningRate is { } lr) options.LearningRate = lr;
        return Rnn(catalog, options);
    }

    /// <summary>A packed RNN classifier with full options (every default is declared in <see cref="RnnTrainerOptions"/>).</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The options, validated here before any data is read.</param>
    public static RnnTrainer Rnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RnnTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RnnTrainer(CatalogUtils.GetEnvironment(catalog), options);
    }

    /// <summary>
    /// Fine-tunes a pretrained BERT or DistilBERT folder (Hugging Face format) on text, as ML.NET's
    /// TextClassification does: the sentence column(s) as strings, tokenized inside with the folder's
    /// tokenizer; two columns make sentence pairs. Hugging Face's recipe (<see cref="RnnTrainerOptions.FineTuning(string)"/>)
    /// unless <paramref name="options"/> are given. Output: Score and PredictedLabel (key), as the Rnn trainer's.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="folder">The Hugging Face folder: config.json, model.safetensors, vocab.txt.</param>
    /// <param name="labelColumnName">The key label column (MapValueToKey).</param>
    /// <param name="sentence1ColumnName">The text column.</param>
    /// <param name="sentence2ColumnName">A second text column, for sentence pairs; null for single texts.</param>
    /// <param name="maximumLength">The most ids per row, [CLS] and [SEP] included; at most the model's positions. 0: 128, or the
    /// model's positions where it has fewer.</param>
    /// <param name="options">The fine-tuning options; start from <see cref="RnnTrainerOptions.FineTuning(string)"/> with the same folder.</param>
    public static PretrainedTextClassificationTrainer PretrainedTextClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string folder, string labelColumnName = "Label", string sentence1ColumnName = "Sentence1", string? sentence2ColumnName = null,
        int maximumLength = 0, RnnTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PretrainedTextClassificationTrainer(CatalogUtils.GetEnvironment(catalog), folder, labelColumnName, sentence1ColumnName,
            sentence2ColumnName, maximumLength, options);
    }
}
