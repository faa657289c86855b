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
}
