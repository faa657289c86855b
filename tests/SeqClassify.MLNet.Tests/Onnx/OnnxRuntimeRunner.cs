using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SeqClassify.MLNet.Tests.Onnx;

/// <summary>Runs an exported model in ONNX Runtime (Microsoft.ML.OnnxRuntime from NuGet) on padded rows.</summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>
    /// The standalone network's outputs for <paramref name="rows"/> (ids, or flattened feature steps of
    /// <paramref name="featureSize"/>), right-padded into one batch with their lengths.
    /// </summary>
    public static Dictionary<string, float[][]> RunNetwork(byte[] model, IReadOnlyList<long[]> rows)
    {
        int width = rows.Max(r => r.Length);
        var ids = new DenseTensor<long>([rows.Count, width]);
        for (int b = 0; b < rows.Count; b++)
        {
            for (int t = 0; t < rows[b].Length; t++) ids[b, t] = rows[b][t];
        }
        return Run(model, [NamedOnnxValue.CreateFromTensor("ids", ids), Lengths(rows.Select(r => r.Length))], rows.Count);
    }

    public static Dictionary<string, float[][]> RunNetwork(byte[] model, IReadOnlyList<float[]> rows, int featureSize)
    {
        int width = rows.Max(r => r.Length / featureSize);
        var features = new DenseTensor<float>([rows.Count, width, featureSize]);
        for (int b = 0; b < rows.Count; b++)
        {
            for (int i = 0; i < rows[b].Length; i++) features[b, i / featureSize, i % featureSize] = rows[b][i];
        }
        return Run(model, [NamedOnnxValue.CreateFromTensor("features", features), Lengths(rows.Select(r => r.Length / featureSize))], rows.Count);
    }

    /// <summary>Token rows right-padded with empty strings, as a pipeline exported from its tokens takes them.</summary>
    public static Dictionary<string, float[][]> RunTokens(byte[] model, string input, IReadOnlyList<string[]> rows)
    {
        int width = Math.Max(1, rows.Max(r => r.Length));
        var tokens = new DenseTensor<string>([rows.Count, width]);
        for (int b = 0; b < rows.Count; b++)
        {
            for (int t = 0; t < width; t++) tokens[b, t] = t < rows[b].Length ? rows[b][t] : "";
        }
        return Run(model, [NamedOnnxValue.CreateFromTensor(input, tokens)], rows.Count);
    }

    private static NamedOnnxValue Lengths(IEnumerable<int> lengths)
    {
        long[] values = lengths.Select(l => (long)l).ToArray();
        return NamedOnnxValue.CreateFromTensor("lengths", new DenseTensor<long>(values, [values.Length]));
    }

    /// <summary>Every float output, one array per row.</summary>
    private static Dictionary<string, float[][]> Run(byte[] model, IReadOnlyCollection<NamedOnnxValue> inputs, int rows)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var results = session.Run(inputs);
        var outputs = new Dictionary<string, float[][]>();
        foreach (var result in results)
        {
            if (result.Value is not Tensor<float> tensor) continue;
            float[] flat = tensor.ToArray();
            int width = flat.Length / rows;
            outputs[result.Name] = flat.Chunk(width).ToArray();
        }
        return outputs;
    }
}
