using Microsoft.ML.Model.OnnxConverter;

namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// The nodes and constants one SeqClassify component adds to an ONNX graph, written through ML.NET's
/// <see cref="OnnxContext"/> (the context ConvertToOnnx passes every transformer, or the one a
/// standalone export makes): every name is made unique under the component's prefix, and
/// intermediate values are left to ONNX Runtime's shape inference (no declared shapes to get wrong).
/// </summary>
internal sealed class OnnxGraph(OnnxContext context, string prefix)
{
    /// <summary>
    /// The opset the exported operators need, and the highest ML.NET's converter writes: Min and Max of
    /// int64 lengths (12; Range, CumSum, GatherElements and Pad's tensor inputs are 11); Split's,
    /// Squeeze's and the reductions' attribute forms end at 12.
    /// </summary>
    public const int OpSet = 12;

    /// <summary>ONNX's standard operators (the empty domain); ML.NET's CreateNode defaults to ai.onnx.ml.</summary>
    private const string StandardDomain = "";

    /// <summary>ONNX-ML's domain, for LabelEncoder.</summary>
    public const string MLDomain = "ai.onnx.ml";

    public OnnxContext Context => context;

    /// <summary>A fresh intermediate value named after what it holds.</summary>
    public string Value(string what) => context.AddIntermediateVariable(null, $"{prefix}.{what}", skip: true);

    /// <summary>One node of a standard operator with one output; returns the output's name.</summary>
    public string Op(string type, params string[] inputs) => Op(type, inputs, null);

    /// <summary>One node with one output and attributes.</summary>
    public string Op(string type, string[] inputs, Action<OnnxNode>? attributes, string domain = StandardDomain)
    {
        string output = Value(type);
        Into(type, inputs, [output], attributes, domain);
        return output;
    }

    /// <summary>One node writing the given outputs (names made by <see cref="Value"/> or the context).</summary>
    public void Into(string type, string[] inputs, string[] outputs, Action<OnnxNode>? attributes = null, string domain = StandardDomain)
    {
        var node = context.CreateNode(type, inputs, outputs, context.GetNodeName($"{prefix}.{type}"), domain);
        attributes?.Invoke(node);
    }

    public string Floats(string name, float[] values, params long[] dims) => context.AddInitializer(values, dims, $"{prefix}.{name}");

    public string Longs(string name, long[] values, params long[] dims) => context.AddInitializer(values, dims, $"{prefix}.{name}");

    public string Scalar(float value) => context.AddInitializer(value, $"{prefix}.const");

    public string Scalar(long value) => context.AddInitializer(value, $"{prefix}.const");

    // Shape and casting helpers: each one node, named for readability of the graph's users.

    public string Cast(string x, Type to) => Op("Cast", [x], n => n.AddAttribute("to", to));

    public string Transpose(string x, params long[] perm) => Op("Transpose", [x], n => n.AddAttribute("perm", perm));

    /// <summary>Reshape to <paramref name="shape"/> (0 keeps that dimension, -1 infers one).</summary>
    public string Reshape(string x, params long[] shape) => Op("Reshape", x, Longs("shape", shape, shape.Length));

    public string Unsqueeze(string x, params long[] axes) => Op("Unsqueeze", [x], n => n.AddAttribute("axes", axes));

    public string Squeeze(string x, params long[] axes) => Op("Squeeze", [x], n => n.AddAttribute("axes", axes));

    /// <summary>Dimension <paramref name="axis"/> of x's shape, as an int64 scalar.</summary>
    public string Dimension(string x, long axis) => Op("Gather", [Op("Shape", x), Scalar(axis)], n => n.AddAttribute("axis", 0L));

    /// <summary>x[..., index, ...] along <paramref name="axis"/> (the axis removed).</summary>
    public string Take(string x, long index, long axis) => Op("Gather", [x, Scalar(index)], n => n.AddAttribute("axis", axis));

    public string Reduce(string type, string x, long axis, bool keepDims = false) =>
        Op(type, [x], n => { n.AddAttribute("axes", new[] { axis }); n.AddAttribute("keepdims", keepDims ? 1L : 0L); });

    /// <summary>x · Wᵀ + b as PyTorch's nn.Linear, W stored transposed ([in, out]) so that one MatMul applies it.</summary>
    public string Linear(string x, float[] weight, long outputs, long inputs, float[]? bias, string name)
    {
        var transposed = new float[weight.Length];
        for (long o = 0; o < outputs; o++)
        {
            for (long i = 0; i < inputs; i++) transposed[i * outputs + o] = weight[o * inputs + i];
        }
        string y = Op("MatMul", x, Floats(name + ".weight_t", transposed, inputs, outputs));
        return bias is null ? y : Op("Add", y, Floats(name + ".bias", bias, outputs));
    }

    /// <summary>
    /// LayerNormalization over the last axis, from ReduceMean/Sub/Mul/Sqrt/Div as PyTorch computes it
    /// (biased variance, eps inside the root): opset 17's LayerNormalization is beyond ML.NET's 12.
    /// </summary>
    public string LayerNorm(string x, float[] weight, float[] bias, double epsilon, string name)
    {
        string centred = Op("Sub", x, Reduce("ReduceMean", x, -1, keepDims: true));
        string variance = Reduce("ReduceMean", Op("Mul", centred, centred), -1, keepDims: true);
        string normalized = Op("Div", centred, Op("Sqrt", Op("Add", variance, Scalar((float)epsilon))));
        return Op("Add", Op("Mul", normalized, Floats(name + ".weight", weight, weight.Length)), Floats(name + ".bias", bias, bias.Length));
    }
}
