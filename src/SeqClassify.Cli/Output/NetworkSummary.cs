using System.Globalization;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Output;

/// <summary>One phrase for a network's encoder, as train's banner and info print it.</summary>
internal static class NetworkSummary
{
    public static string Encoder(SequenceModelOptions o) => o.Encoder == SequenceEncoder.Transformer
        ? string.Create(CultureInfo.InvariantCulture,
            $"Transformer x{o.NumLayers} (width {o.HiddenSize}, {o.Heads} heads, feed-forward {o.FeedForwardSize}, {o.Activation}, {(o.NormFirst ? "pre-norm" : "post-norm")}, {o.PositionalEncoding} positions up to {o.MaxPositions}, dropout {o.TransformerDropout})")
        : string.Create(CultureInfo.InvariantCulture, $"{o.Cell} x{o.NumLayers}{(o.Bidirectional ? " bidirectional" : "")}, hidden {o.HiddenSize}");
}
