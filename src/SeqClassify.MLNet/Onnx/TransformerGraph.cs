using SeqClassify.Torch;

namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// The engine's Transformer encoder from standard operators (opset 11/12 has no attention or
/// LayerNormalization operator): the input side (scaled embedding or feature projection, sinusoidal
/// or learned positions, token types, the embedding LayerNorm), then each layer's multi-head
/// self-attention over the valid keys only (padded keys get -inf before the softmax, which is what
/// the engine's attention over a row's own length computes), post- or pre-norm, ReLU or exact
/// (erf) GELU, and the final LayerNorm of a pre-norm stack.
/// </summary>
internal static class TransformerGraph
{
    /// <remarks>input: Token ids [B, T] (int64) with tokens, else feature steps [B, T, I]. keyValid: [B, T] bool: which positions are within their row's length.</remarks>
    /// <returns>The last layer's output [B, T, D] (positions past a row's length are finite and unused).</returns>
    public static string Encode(OnnxGraph g, SequenceModelOptions o, NetworkWeights w, string input, bool tokens, string keyValid)
    {
        long e = o.InputSize, d = o.HiddenSize;
        string x;
        if (tokens)
        {
            x = g.Op("Gather", [g.Floats("embedding", w.Get("embedding.weight", o.VocabularySize, e), o.VocabularySize, e), input], n => n.AddAttribute("axis", 0L));
            if (o.ScaleEmbedding) x = g.Op("Mul", x, g.Scalar((float)Math.Sqrt(e)));
        }
        else
        {
            x = input;
        }
        if (!tokens || e != d) x = g.Linear(x, w.Get("input_projection.weight", d, e), d, e, w.Get("input_projection.bias", d), "input_projection");
        // The engine's own table (learned or sinusoidal): one definition of it.
        float[] table = w.Positions!;
        string steps = g.Unsqueeze(g.Dimension(x, 1), 0);
        string positions = g.Op("Slice", g.Floats("positions", table, o.MaxPositions, d), g.Longs("zero", [0], 1), steps, g.Longs("axis0", [0], 1));
        x = g.Op("Add", x, positions);
        if (o.TokenTypes > 0)
        {
            string types = g.Floats("token_types", w.Get("token_type.weight", o.TokenTypes, d), o.TokenTypes, d);
            x = g.Op("Add", x, g.Op("Gather", [types, TokenTypes(g, o, input)], n => n.AddAttribute("axis", 0L)));
        }
        if (o.EmbeddingNorm) x = g.LayerNorm(x, w.Get("embedding_norm.weight", d), w.Get("embedding_norm.bias", d), o.LayerNormEpsilon, "embedding_norm");
        // [B, 1, 1, T]: every query of a row sees the same keys, every head alike.
        string keys = g.Unsqueeze(keyValid, 1, 2);
        for (int layer = 0; layer < o.NumLayers; layer++)
        {
            string p = $"encoder.layers.{layer}";
            string Norm(string value, string name) => g.LayerNorm(value, w.Get($"{p}.{name}.weight", d), w.Get($"{p}.{name}.bias", d), o.LayerNormEpsilon, $"{p}.{name}");
            if (o.NormFirst)
            {
                x = g.Op("Add", x, Attention(g, o, w, p, Norm(x, "norm1"), keys));
                x = g.Op("Add", x, FeedForward(g, o, w, p, Norm(x, "norm2")));
            }
            else
            {
                x = Norm(g.Op("Add", x, Attention(g, o, w, p, x, keys)), "norm1");
                x = Norm(g.Op("Add", x, FeedForward(g, o, w, p, x)), "norm2");
            }
        }
        if (o.NormFirst) x = g.LayerNorm(x, w.Get("encoder.norm.weight", d), w.Get("encoder.norm.bias", d), o.LayerNormEpsilon, "encoder.norm");
        return x;
    }

    /// <summary>
    /// Each position's token type [B, T], as the engine types a batch that gives none: with a segment
    /// separator, 0 up to and including a row's first separator and 1 after it (BERT's sentence pairs);
    /// without one, 0 throughout.
    /// </summary>
    private static string TokenTypes(OnnxGraph g, SequenceModelOptions o, string ids)
    {
        if (o.SegmentSeparatorId == 0) return g.Op("Mul", ids, g.Scalar(0L));
        string separators = g.Cast(g.Op("Equal", ids, g.Scalar(o.SegmentSeparatorId)), typeof(long));
        // Separators strictly before each position: 0 through the first one, then 1 or more.
        string before = g.Op("Sub", g.Op("CumSum", separators, g.Scalar(1L)), separators);
        return g.Op("Min", before, g.Scalar(1L));
    }

    private static string Attention(OnnxGraph g, SequenceModelOptions o, NetworkWeights w, string p, string x, string keys)
    {
        long d = o.HiddenSize, heads = o.Heads, width = d / heads;
        string qkv = g.Linear(x, w.Get($"{p}.self_attn.in_proj_weight", 3 * d, d), 3 * d, d, w.Get($"{p}.self_attn.in_proj_bias", 3 * d), $"{p}.self_attn.in_proj");
        string q = g.Value("q"), k = g.Value("k"), v = g.Value("v");
        g.Into("Split", [qkv], [q, k, v], n => { n.AddAttribute("axis", 2L); n.AddAttribute("split", new[] { d, d, d }); });
        string Heads(string value, params long[] perm) => g.Transpose(g.Reshape(value, 0, 0, heads, width), perm);
        // Scaled as the engine scales: softmax(scale · q·kᵀ), scale = 1/sqrt(head width).
        string scores = g.Op("Mul", g.Op("MatMul", Heads(q, 0, 2, 1, 3), Heads(k, 0, 2, 3, 1)), g.Scalar((float)(1.0 / Math.Sqrt(width))));
        scores = g.Op("Where", keys, scores, g.Scalar(float.NegativeInfinity));
        string weights = g.Op("Softmax", [scores], n => n.AddAttribute("axis", 3L));
        string mixed = g.Reshape(g.Transpose(g.Op("MatMul", weights, Heads(v, 0, 2, 1, 3)), 0, 2, 1, 3), 0, 0, d);
        return g.Linear(mixed, w.Get($"{p}.self_attn.out_proj.weight", d, d), d, d, w.Get($"{p}.self_attn.out_proj.bias", d), $"{p}.self_attn.out_proj");
    }

    private static string FeedForward(OnnxGraph g, SequenceModelOptions o, NetworkWeights w, string p, string x)
    {
        long d = o.HiddenSize, f = o.FeedForwardSize;
        string inner = g.Linear(x, w.Get($"{p}.linear1.weight", f, d), f, d, w.Get($"{p}.linear1.bias", f), $"{p}.linear1");
        inner = o.Activation == TransformerActivation.Gelu
            // Exact GELU, as the engine and nn.GELU(): x · (1 + erf(x / sqrt 2)) / 2.
            ? g.Op("Mul", g.Op("Mul", inner, g.Scalar(0.5f)), g.Op("Add", g.Op("Erf", g.Op("Mul", inner, g.Scalar(0.70710678118654752f))), g.Scalar(1f)))
            : g.Op("Relu", inner);
        return g.Linear(inner, w.Get($"{p}.linear2.weight", d, f), d, f, w.Get($"{p}.linear2.bias", d), $"{p}.linear2");
    }
}
