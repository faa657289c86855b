namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// A pretrained BERT-shaped encoder from a local Hugging Face folder (config.json, model.safetensors):
/// model_type "bert" (BERT, MiniLM, TinyBERT, ...) or "distilbert", as the engine's Transformer:
/// post-norm layers with exact GELU, learned positions, embeddings normalised without sqrt(E) scaling,
/// BERT's token types, LayerNorm eps from the config. Its weights are renamed to the engine's parameters
/// (query, key and value stacked into in_proj_weight, as nn.MultiheadAttention keeps them). A folder
/// saved from a sequence-classification model (BertForSequenceClassification,
/// DistilBertForSequenceClassification) also carries its head and labels: <see cref="CreateFineTunedClassifier"/>.
/// </summary>
public sealed class PretrainedTransformer
{
    private readonly PretrainedFamily _family;
    private readonly HuggingFaceConfig _config;
    private readonly IReadOnlyDictionary<string, NamedTensor> _encoder;
    private readonly PretrainedHead? _head;

    private PretrainedTransformer(string folder, PretrainedFamily family, HuggingFaceConfig config, SequenceModelOptions architecture,
        IReadOnlyDictionary<string, NamedTensor> encoder, PretrainedHead? head)
    {
        Folder = folder;
        _family = family;
        _config = config;
        Architecture = architecture;
        _encoder = encoder;
        _head = head;
    }

    /// <summary>The most layers a pretrained encoder may have (BERT-large has 24).</summary>
    public const int MaximumLayers = PretrainedFamily.MaximumLayers;

    /// <summary>The largest vocabulary accepted.</summary>
    public const int MaximumVocabulary = PretrainedFamily.MaximumVocabulary;

    /// <summary>The folder it was read from.</summary>
    public string Folder { get; }

    /// <summary>config.json's model_type: "bert" or "distilbert".</summary>
    public string ModelType => _family.ModelType;

    /// <summary>The encoder's options (pooled by mean into 2 classes until <see cref="ClassifierOptions(SequenceModelOptions, int)"/> says otherwise).</summary>
    public SequenceModelOptions Architecture { get; }

    /// <summary>The encoder's parameters under the engine's names (with BERT's pooler when the folder has one; never a task head).</summary>
    public IReadOnlyCollection<NamedTensor> EncoderParameters => (IReadOnlyCollection<NamedTensor>)_encoder.Values;

    /// <summary>True for a fine-tuned sequence-classification checkpoint: its weights hold a classifier and its config the labels.</summary>
    public bool HasClassifier => _head is not null;

    /// <summary>A fine-tuned checkpoint's class names in the classifier's order (config.json's id2label; LABEL_i where it has none); empty without a classifier.</summary>
    public IReadOnlyList<string> Labels => _head?.Labels ?? [];

    /// <summary>Reads and checks a folder; anything missing, unknown, misshapen or beyond limits is refused naming the file and the tensor.</summary>
    public static PretrainedTransformer Load(string folder)
    {
        string configPath = Path.Combine(folder, "config.json");
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"pretrained model folder '{folder}' does not exist");
        PretrainedFolder.RequireReadable(folder);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"'{folder}' has no config.json: not a Hugging Face model folder", configPath);
        string weightsPath = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weightsPath))
        {
            throw new FileNotFoundException(File.Exists(Path.Combine(folder, "pytorch_model.bin"))
                ? $"'{folder}' has pytorch_model.bin but no model.safetensors: the engine does not unpickle PyTorch files (unpickling runs code). " +
                  "Convert it once with Python: `import torch; from safetensors.torch import save_file; " +
                  "save_file(torch.load('pytorch_model.bin'), 'model.safetensors')`, or save the model with transformers' save_pretrained, which writes safetensors."
                : $"'{folder}' has no model.safetensors", weightsPath);
        }
        var config = HuggingFaceConfig.Read(configPath);
        var family = PretrainedFamily.For(config);
        var architecture = new SequenceModelOptions { Pooling = SequencePooling.Mean };
        family.Apply(config, architecture);
        var tensors = new CheckpointTensors(SafeTensors.Read(weightsPath), weightsPath, family.Prefix);
        var encoder = family.Encoder(tensors, architecture);
        var head = family.Head(tensors, config, architecture);
        tensors.CheckAllUsed(family.Ignorable, $"a {architecture.NumLayers}-layer {family.ModelType} model");
        return new PretrainedTransformer(folder, family, config, architecture, encoder, head);
    }

    /// <summary>
    /// Options for a classifier over this encoder: <paramref name="rest"/>'s pooling, head, dropout before
    /// it, loss, optimiser and seed, with every field the folder decides (the encoder) taken from it.
    /// </summary>
    public SequenceModelOptions ClassifierOptions(SequenceModelOptions rest, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(rest);
        var options = rest.Clone();
        _family.Apply(_config, options);
        options.NumClasses = numClasses;
        return options;
    }

    /// <summary>Options for a classifier over this encoder with the engine's defaults for the rest.</summary>
    public SequenceModelOptions ClassifierOptions(int numClasses, SequencePooling pooling = SequencePooling.Mean) =>
        ClassifierOptions(new SequenceModelOptions { Pooling = pooling }, numClasses);

    /// <summary>
    /// A classifier whose encoder holds these pretrained weights (and BERT's pooler, for
    /// <see cref="SequencePooling.ClsPooler"/> over a folder that has one) and whose head starts as the
    /// engine initialises it from <paramref name="options"/>' seed. <paramref name="options"/> must keep
    /// <see cref="Architecture"/>'s encoder fields.
    /// </summary>
    public SequenceClassifierModel CreateClassifier(SequenceModelOptions options) => Create(options, _encoder);

    /// <summary>
    /// The options of the checkpoint's own classifier (<see cref="HasClassifier"/>): BERT's pooler and
    /// classifier, or DistilBERT's first position, pre_classifier and classifier, with the config's dropout;
    /// <paramref name="rest"/> (or the engine's defaults) for the loss, optimiser and seed of further training.
    /// </summary>
    public SequenceModelOptions FineTunedOptions(SequenceModelOptions? rest = null)
    {
        var head = _head ?? throw new InvalidOperationException($"'{Folder}' has no sequence-classification head (classifier.weight): fine-tune it first, or use CreateClassifier.");
        var options = ClassifierOptions(rest ?? new SequenceModelOptions(), head.Labels.Length);
        options.Pooling = head.Pooling;
        options.HeadHiddenSize = head.HeadHiddenSize;
        options.Dropout = head.Dropout;
        return options;
    }

    /// <summary>
    /// The checkpoint's whole classifier, encoder and head, ready to predict <see cref="Labels"/>; with
    /// <see cref="FineTunedOptions"/>, or <paramref name="options"/> made from them (dropout, optimiser and
    /// seed changed; the architecture kept).
    /// </summary>
    public SequenceClassifierModel CreateFineTunedClassifier(SequenceModelOptions? options = null)
    {
        options ??= FineTunedOptions();
        var all = new Dictionary<string, NamedTensor>(_encoder);
        foreach (var (name, tensor) in _head!.Tensors) all[name] = tensor;
        return Create(options, all);
    }

    private static SequenceClassifierModel Create(SequenceModelOptions options, IReadOnlyDictionary<string, NamedTensor> weights)
    {
        var model = new SequenceClassifierModel(options);
        try
        {
            // The new model's parameters with the pretrained ones written over them, in the one buffer
            // the engine exports: a large model is not copied twice more on the way.
            byte[] parameters = model.ExportParameters();
            TensorArchive.Overwrite(parameters, weights);
            model.ImportParameters(parameters);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
