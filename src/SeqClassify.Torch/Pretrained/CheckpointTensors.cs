namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// A checkpoint's tensors as a mapping reads them: by Hugging Face name under the model's prefix
/// ("bert.", "distilbert.", or none), each checked against the shape config.json implies, and every
/// tensor taken or known to be ignorable by the end (anything else is a layer the config does not describe).
/// </summary>
internal sealed class CheckpointTensors
{
    private readonly IReadOnlyDictionary<string, NamedTensor> _file;
    private readonly HashSet<string> _used = [];

    public CheckpointTensors(IReadOnlyDictionary<string, NamedTensor> file, string path, string modelPrefix)
    {
        _file = file;
        Path = path;
        Prefix = file.Keys.Any(k => k.StartsWith(modelPrefix, StringComparison.Ordinal)) ? modelPrefix : "";
    }

    /// <summary>model.safetensors, for messages.</summary>
    public string Path { get; }

    /// <summary>The encoder's prefix in this file: "bert." in a BertForSequenceClassification checkpoint, "" in a BertModel's.</summary>
    public string Prefix { get; }

    public bool HasEncoderTensor(string name) => _file.ContainsKey(Prefix + name);

    public bool HasHeadTensor(string name) => _file.ContainsKey(name);

    /// <summary>An encoder tensor (under the prefix); older checkpoints name LayerNorm's parameters gamma and beta.</summary>
    public NamedTensor Encoder(string name, params long[] shape) =>
        Take([Prefix + name, Prefix + name.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta")], shape);

    /// <summary>A tensor of the task head, outside the encoder's prefix ("classifier.weight").</summary>
    public NamedTensor Head(string name, params long[] shape) => Take([name], shape);

    /// <summary>The rows of a classifier's weight, its number of classes: 2 or more.</summary>
    public int Classes(string name)
    {
        var tensor = _file[name];
        if (tensor.Shape.Length != 2 || tensor.Shape[0] < 2 || tensor.Shape[0] > PretrainedFamily.MaximumClasses)
        {
            throw new InvalidDataException($"'{Path}': tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}]; a classifier's weight is [classes (2..{PretrainedFamily.MaximumClasses:N0}), width].");
        }
        return (int)tensor.Shape[0];
    }

    private NamedTensor Take(string[] names, long[] shape)
    {
        string found = names.FirstOrDefault(_file.ContainsKey) ?? throw new InvalidDataException($"'{Path}' has no tensor '{names[0]}'.");
        var tensor = _file[found];
        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException($"'{Path}': tensor '{found}' has shape [{string.Join(", ", tensor.Shape)}]; config.json implies [{string.Join(", ", shape)}].");
        }
        _used.Add(found);
        return tensor;
    }

    /// <summary>Refuses a tensor neither taken nor under one of <paramref name="ignorable"/>'s prefixes (pretraining heads, buffers).</summary>
    public void CheckAllUsed(IEnumerable<string> ignorable, string model)
    {
        var skip = ignorable.SelectMany(i => new[] { i, Prefix + i }).ToArray();
        var unknown = _file.Keys.FirstOrDefault(k => !_used.Contains(k) && !skip.Any(i => k.StartsWith(i, StringComparison.Ordinal)));
        if (unknown is not null) throw new InvalidDataException($"'{Path}' has a tensor '{unknown}' that {model} does not have (does config.json describe this checkpoint?).");
    }
}
