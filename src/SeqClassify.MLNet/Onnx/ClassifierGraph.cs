using SeqClassify.Torch;

namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// A whole trained network as ONNX nodes: the encoder (<see cref="RecurrentGraph"/> or
/// <see cref="TransformerGraph"/>), the pooling over each row's valid steps, the head, and the
/// softmax, computing what the engine's Predict computes (dropout is off in inference). Rows are
/// padded to the batch's longest and carry their lengths, so that each row scores as it would alone.
/// </summary>
internal static class ClassifierGraph
{
    /// <summary>The class probabilities [B, C] and, with attention pooling, each step's weight [B, T] (0 past a row's length).</summary>
    public readonly record struct Outputs(string Probabilities, string? AttentionWeights);

    /// <remarks>input: Token ids [B, T] (int64) for a model with a vocabulary, else feature steps [B, T, InputSize] (float). lengths: Each row's steps [B] (int64), at least 1 and at most T.</remarks>
    public static Outputs Build(OnnxGraph g, SequenceClassifierModel model, string input, string lengths)
    {
        var o = model.Options;
        var w = new NetworkWeights(model);
        bool tokens = o.VocabularySize > 0;
        // [B, T] bool: position t of row b is one of its steps.
        string positions = g.Op("Range", g.Scalar(0L), g.Dimension(input, 1), g.Scalar(1L));
        string valid = g.Op("Less", g.Unsqueeze(positions, 0), g.Unsqueeze(lengths, 1));
        // What the encoder hands the pooling (the model width, or the RNN's directions side by side): what the
        // engine's head reads, from its first layer's shape.
        long width = w.Columns(o.HeadHiddenSize > 0 ? "hidden.weight" : "fc.weight");
        string pooled;
        string? attention = null;
        if (o.Encoder == SequenceEncoder.Transformer)
        {
            string encoded = TransformerGraph.Encode(g, o, w, input, tokens, valid);
            if (o.Pooling == SequencePooling.ClsPooler)
            {
                pooled = g.Op("Tanh", g.Linear(g.Take(encoded, 0, 1), w.Get("pooler.dense.weight", width, width), width, width, w.Get("pooler.dense.bias", width), "pooler.dense"));
            }
            else
            {
                (pooled, attention) = Pool(g, o, w, encoded, valid, lengths, width);
            }
        }
        else
        {
            string x = tokens
                ? g.Op("Gather", [g.Floats("embedding", w.Get("embedding.weight", o.VocabularySize, o.InputSize), o.VocabularySize, o.InputSize), input],
                    n => n.AddAttribute("axis", 0L))
                : input;
            var encoded = RecurrentGraph.Encode(g, o, w, x, lengths);
            (pooled, attention) = o.Pooling == SequencePooling.Last ? (encoded.Last, null) : Pool(g, o, w, encoded.Outputs, valid, lengths, width);
        }
        string logits = Head(g, o, w, pooled, width);
        // What the task reads from the head (the engine's probabilities): each row's softmax, each label's sigmoid, or the score.
        string read = o.Task switch
        {
            SequenceTask.MultiLabel => g.Op("Sigmoid", [logits]),
            SequenceTask.Regression => logits,
            _ => g.Op("Softmax", [logits], n => n.AddAttribute("axis", 1L)),
        };
        return new Outputs(read, attention);
    }

    /// <summary>Mean, max, first position or additive attention over each row's valid steps of x [B, T, D].</summary>
    private static (string Pooled, string? Weights) Pool(OnnxGraph g, SequenceModelOptions o, NetworkWeights w, string x, string valid, string lengths, long d)
    {
        string steps = g.Unsqueeze(valid, 2);  // [B, T, 1]
        switch (o.Pooling)
        {
            case SequencePooling.Mean:
                string sum = g.Reduce("ReduceSum", g.Op("Mul", x, g.Cast(steps, typeof(float))), 1);
                return (g.Op("Div", sum, g.Unsqueeze(g.Cast(lengths, typeof(float)), 1)), null);
            case SequencePooling.Max:
                return (g.Reduce("ReduceMax", g.Op("Where", steps, x, g.Scalar(float.NegativeInfinity)), 1), null);
            case SequencePooling.First:
                return (g.Take(x, 0, 1), null);
            case SequencePooling.Attention:
                // score_t = v · tanh(W x_t + b), softmax over the valid steps, weighted sum of x.
                string activations = g.Op("Tanh", g.Linear(x, w.Get("attention.projection.weight", d, d), d, d, w.Get("attention.projection.bias", d), "attention.projection"));
                string scores = g.Squeeze(g.Linear(activations, w.Get("attention.score.weight", 1, d), 1, d, null, "attention.score"), 2);
                string weights = g.Op("Softmax", [g.Op("Where", valid, scores, g.Scalar(float.NegativeInfinity))], n => n.AddAttribute("axis", 1L));
                return (g.Squeeze(g.Op("MatMul", g.Unsqueeze(weights, 1), g.Op("Where", steps, x, g.Scalar(0f))), 1), weights);
            default:
                throw new NotSupportedException($"ONNX export: pooling {o.Pooling} over padded steps is not defined.");
        }
    }

    /// <summary>The head: an optional ReLU layer ("hidden"), then the output layer ("fc"); logits [B, C].</summary>
    private static string Head(OnnxGraph g, SequenceModelOptions o, NetworkWeights w, string pooled, long width)
    {
        long c = o.NumClasses;
        if (o.HeadHiddenSize > 0)
        {
            long h = o.HeadHiddenSize;
            pooled = g.Op("Relu", g.Linear(pooled, w.Get("hidden.weight", h, width), h, width, w.Get("hidden.bias", h), "hidden"));
            width = h;
        }
        return g.Linear(pooled, w.Get("fc.weight", c, width), c, width, w.Get("fc.bias", c), "fc");
    }
}
