using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SeqClassify.Torch.Pretrained;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// A Hugging Face checkpoint that is already fine-tuned for sequence classification
/// (BertForSequenceClassification, DistilBertForSequenceClassification: weights with a classifier,
/// config.json with id2label) as an ML.NET step: nothing is trained; <see cref="Fit"/> checks the token-id
/// column and gives a <see cref="SequenceClassificationTransformer"/> holding the checkpoint's encoder,
/// head and labels, which saves, loads and predicts as a trained one does. Put the folder's own
/// tokenizer before it (<c>TokenizeForPretrained</c>) and MapKeyToValue("PredictedLabel") after it.
/// </summary>
public sealed class FineTunedClassifierEstimator : IEstimator<SequenceClassificationTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly string _folder;
    private readonly PretrainedTransformer? _checkpoint;
    private readonly string _featureColumnName;
    private readonly IReadOnlyList<string>? _labels;

    internal FineTunedClassifierEstimator(IHostEnvironment env, string folder, string featureColumnName, IReadOnlyList<string>? labels)
    {
        _env = env;
        _folder = folder ?? throw new ArgumentNullException(nameof(folder));
        _featureColumnName = featureColumnName ?? throw new ArgumentNullException(nameof(featureColumnName));
        _labels = labels;
    }

    // A checkpoint the caller has loaded already (read once, not again at Fit).
    internal FineTunedClassifierEstimator(IHostEnvironment env, PretrainedTransformer checkpoint, string featureColumnName, IReadOnlyList<string>? labels)
        : this(env, (checkpoint ?? throw new ArgumentNullException(nameof(checkpoint))).Folder, featureColumnName, labels)
    {
        _checkpoint = checkpoint;
    }

    /// <summary>Loads the checkpoint (refused, naming the file and tensor, if it is not one) and checks <paramref name="input"/>'s token-id column.</summary>
    public SequenceClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        FeatureColumn.Require(input.Schema, _featureColumnName, featureSize: 0);
        var checkpoint = _checkpoint ?? PretrainedTransformer.Load(_folder);
        if (!checkpoint.HasClassifier)
        {
            throw new InvalidOperationException($"'{_folder}' has no sequence-classification head (classifier.weight): fine-tune it with " +
                "SequenceClassificationOptions.FineTuning(folder) instead.");
        }
        var names = _labels ?? checkpoint.Labels;
        if (names.Count != checkpoint.Labels.Count || names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new ArgumentException($"{names.Count} label names for the {checkpoint.Labels.Count} classes of '{_folder}' ({string.Join(", ", checkpoint.Labels)}); " +
                "give one distinct name per class, in the classifier's order.", "labels");
        }
        var model = checkpoint.CreateFineTunedClassifier();
        // What the transformer reads of the options: its columns, and the longest row (the encoder's positions).
        var options = new SequenceClassificationOptions { FeatureColumnName = _featureColumnName };
        options.Network.Encoder = model.Options.Encoder;
        options.Network.MaxPositions = model.Options.MaxPositions;
        var history = new TrainingHistory { PretrainedEmbeddings = Path.GetFileName(Path.GetFullPath(_folder).TrimEnd(Path.DirectorySeparatorChar)) };
        return new SequenceClassificationTransformer(_env, model, LabelClasses.FromNames(names), options, history);
    }

    /// <summary>Score (a vector of class probabilities, with the class names as slot names) and PredictedLabel (a key whose values are the class names).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        FeatureColumn.Require(inputSchema, _featureColumnName, featureSize: 0);
        var columns = inputSchema.ToDictionary(c => c.Name);
        var text = SchemaShape.Column.VectorKind.Scalar;
        columns["Score"] = new SchemaShape.Column("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, new SchemaShape([
            new SchemaShape.Column(AnnotationUtils.Kinds.ScoreColumnKind, text, TextDataViewType.Instance, false),
            new SchemaShape.Column(AnnotationUtils.Kinds.ScoreValueKind, text, TextDataViewType.Instance, false),
            new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false)]));
        columns["PredictedLabel"] = new SchemaShape.Column("PredictedLabel", text, NumberDataViewType.UInt32, true, new SchemaShape([
            new SchemaShape.Column(AnnotationUtils.Kinds.KeyValues, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false)]));
        return new SchemaShape(columns.Values);
    }
}
