using SeqClassify.Torch;

namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// A trained network's parameters by the engine's names (PyTorch's: "rnn.weight_ih_l0", "fc.bias", …),
/// read once from the engine for an export. A name the exporter asks for and the engine does not have,
/// or a shape other than the one the options imply, is a bug in the exporter: it throws naming both.
/// </summary>
internal sealed class NetworkWeights
{
    private readonly Dictionary<string, NamedTensor> _tensors;

    public NetworkWeights(SequenceClassifierModel model)
    {
        _tensors = TensorArchive.Read(model.ExportParameters()).ToDictionary(t => t.Name);
        Positions = model.Options.Encoder == SequenceEncoder.Transformer ? model.PositionTable() : null;
    }

    /// <summary>A Transformer's position table as the engine adds it (learned or sinusoidal), or null.</summary>
    public float[]? Positions { get; }

    /// <summary>The width of a matrix parameter's input (its columns): what the layer reads, as the engine built it.</summary>
    public long Columns(string name) => _tensors.TryGetValue(name, out var tensor) && tensor.Shape.Length == 2
        ? tensor.Shape[1]
        : throw new InvalidOperationException($"ONNX export: the network has no matrix parameter '{name}'.");

    public bool Has(string name) => _tensors.ContainsKey(name);

    /// <summary>The float values of <paramref name="name"/>, checked to have <paramref name="shape"/>.</summary>
    public float[] Get(string name, params long[] shape)
    {
        if (!_tensors.TryGetValue(name, out var tensor) || tensor.Floats is null)
        {
            throw new InvalidOperationException($"ONNX export: the network has no float parameter '{name}' (it has {string.Join(", ", _tensors.Keys)}).");
        }
        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw new InvalidOperationException(
                $"ONNX export: parameter '{name}' has shape [{string.Join(", ", tensor.Shape)}], [{string.Join(", ", shape)}] expected.");
        }
        return tensor.Floats;
    }
}
