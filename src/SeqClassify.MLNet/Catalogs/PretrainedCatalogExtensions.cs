using Microsoft.ML.Data;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch.Pretrained;

namespace Microsoft.ML;

/// <summary>Hugging Face checkpoints already fine-tuned for sequence classification, on ML.NET's <c>mlContext.Transforms</c> catalog.</summary>
public static class SeqClassifyPretrainedCatalogExtensions
{
    /// <summary>
    /// A fine-tuned BERT or DistilBERT sequence classifier from a local Hugging Face folder, ready to predict
    /// with no training: <c>ml.Transforms.Text.TokenizeForPretrained(folder, "Ids", "Text")
    /// .Append(ml.Transforms.ApplyFineTunedClassifier(folder)).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))</c>.
    /// Output: Score (class probabilities) and PredictedLabel (a key whose values are the class names).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="folder">The checkpoint folder: config.json with id2label, model.safetensors with the classifier, vocab.txt.</param>
    /// <param name="featureColumnName">The token ids column (TokenizeForPretrained with the same folder).</param>
    /// <param name="labels">Names for the classes in the classifier's order, instead of config.json's id2label (e.g. the labels of an evaluation set).</param>
    public static FineTunedClassifierEstimator ApplyFineTunedClassifier(this TransformsCatalog catalog, string folder, string featureColumnName = "Ids",
        IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FineTunedClassifierEstimator(CatalogUtils.GetEnvironment(catalog), folder, featureColumnName, labels);
    }

    /// <summary>The same, for a checkpoint already loaded with <see cref="PretrainedTransformer.Load(string)"/> (it is not read again).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="checkpoint">The loaded checkpoint; <see cref="PretrainedTransformer.HasClassifier"/> must be true.</param>
    /// <param name="featureColumnName">The token ids column (TokenizeForPretrained with the same folder).</param>
    /// <param name="labels">Names for the classes in the classifier's order, instead of config.json's id2label.</param>
    public static FineTunedClassifierEstimator ApplyFineTunedClassifier(this TransformsCatalog catalog, PretrainedTransformer checkpoint,
        string featureColumnName = "Ids", IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FineTunedClassifierEstimator(CatalogUtils.GetEnvironment(catalog), checkpoint, featureColumnName, labels);
    }
}
