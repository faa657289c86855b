using SeqClassify.Torch;

namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// The engine's stacked, optionally bidirectional GRU/LSTM/RNN as ONNX's own recurrent operators, one
/// node per layer, as torch.onnx.export writes nn.GRU/nn.LSTM/nn.RNN: the gates reordered from
/// PyTorch's (GRU r,z,n; LSTM i,f,g,o) to ONNX's (z,r,h; i,o,f,c), GRU with linear_before_reset=1
/// (PyTorch applies the reset gate after the hidden projection and its bias), and sequence_lens so
/// that each padded row runs over its own steps only (the backward direction starts at its last
/// valid step), as the engine's packed sequences do. Exact: no approximation is involved.
/// </summary>
internal static class RecurrentGraph
{
    /// <summary>Every step's last-layer output [B, T, directions·H] (zeros past a row's length) and the final states [B, directions·H].</summary>
    public readonly record struct Encoded(string Outputs, string Last);

    /// <remarks>x: The embedded steps [B, T, I]. lengths: Each row's steps [B] (int64).</remarks>
    public static Encoded Encode(OnnxGraph g, SequenceModelOptions o, NetworkWeights w, string x, string lengths)
    {
        int directions = o.Bidirectional ? 2 : 1;
        long h = o.HiddenSize;
        string sequenceLengths = g.Cast(lengths, typeof(int));
        string input = g.Transpose(x, 1, 0, 2);  // ONNX's layout 0: [T, B, I]
        string outputs = "", last = "";
        for (int layer = 0; layer < o.NumLayers; layer++)
        {
            long inputs = layer == 0 ? o.InputSize : h * directions;
            var (wi, wh, bias) = Stack(o.Cell, w, layer, directions, h, inputs);
            long gates = Gates(o.Cell) * h;
            string[] operands =
            [
                input,
                g.Floats($"l{layer}.W", wi, directions, gates, inputs),
                g.Floats($"l{layer}.R", wh, directions, gates, h),
                g.Floats($"l{layer}.B", bias, directions, 2 * gates),
                sequenceLengths,
            ];
            string y = g.Value($"l{layer}.Y"), yh = g.Value($"l{layer}.Y_h");
            string[] results = o.Cell == RnnCellType.Lstm ? [y, yh, g.Value($"l{layer}.Y_c")] : [y, yh];
            g.Into(OperatorOf(o.Cell), operands, results, node =>
            {
                node.AddAttribute("hidden_size", h);
                node.AddAttribute("direction", directions == 2 ? "bidirectional" : "forward");
                if (o.Cell == RnnCellType.Gru) node.AddAttribute("linear_before_reset", 1L);
                if (o.Cell is RnnCellType.Rnn or RnnCellType.RnnRelu)
                {
                    node.AddAttribute("activations", Enumerable.Repeat(o.Cell == RnnCellType.RnnRelu ? "Relu" : "Tanh", directions).ToArray());
                }
            });
            // Y [T, directions, B, H] -> [T, B, directions·H]: the next layer's input, directions side by side as PyTorch concatenates them.
            input = g.Reshape(g.Transpose(y, 0, 2, 1, 3), 0, 0, -1);
            outputs = y;
            last = yh;
        }
        return new Encoded(
            g.Reshape(g.Transpose(outputs, 2, 0, 1, 3), 0, 0, -1),
            g.Reshape(g.Transpose(last, 1, 0, 2), 0, -1));
    }

    private static string OperatorOf(RnnCellType cell) => cell switch
    {
        RnnCellType.Gru => "GRU",
        RnnCellType.Lstm => "LSTM",
        _ => "RNN",
    };

    private static int Gates(RnnCellType cell) => cell switch
    {
        RnnCellType.Gru => 3,
        RnnCellType.Lstm => 4,
        _ => 1,
    };

    /// <summary>ONNX's gate blocks in the order PyTorch stores them: block i of ONNX's layout is PyTorch's block Order[i].</summary>
    private static int[] Order(RnnCellType cell) => cell switch
    {
        RnnCellType.Gru => [1, 0, 2],     // z, r, h  <-  r, z, n
        RnnCellType.Lstm => [0, 3, 1, 2], // i, o, f, c  <-  i, f, g, o
        _ => [0],
    };

    /// <summary>One layer's weights of every direction, gates reordered: W [dirs, G·H, in], R [dirs, G·H, H], B [dirs, 2·G·H] (input then hidden biases).</summary>
    private static (float[] W, float[] R, float[] B) Stack(RnnCellType cell, NetworkWeights w, int layer, int directions, long h, long inputs)
    {
        int gates = Gates(cell);
        int[] order = Order(cell);
        long g = gates * h;
        var wi = new float[directions * g * inputs];
        var wh = new float[directions * g * h];
        var bias = new float[directions * 2 * g];
        for (int d = 0; d < directions; d++)
        {
            string suffix = $"_l{layer}" + (d == 1 ? "_reverse" : "");
            float[] wIh = w.Get("rnn.weight_ih" + suffix, g, inputs), wHh = w.Get("rnn.weight_hh" + suffix, g, h);
            float[] bIh = w.Get("rnn.bias_ih" + suffix, g), bHh = w.Get("rnn.bias_hh" + suffix, g);
            for (int k = 0; k < gates; k++)
            {
                long from = order[k] * h, to = k * h;
                Array.Copy(wIh, from * inputs, wi, d * g * inputs + to * inputs, h * inputs);
                Array.Copy(wHh, from * h, wh, d * g * h + to * h, h * h);
                Array.Copy(bIh, from, bias, d * 2 * g + to, h);
                Array.Copy(bHh, from, bias, d * 2 * g + g + to, h);
            }
        }
        return (wi, wh, bias);
    }
}
