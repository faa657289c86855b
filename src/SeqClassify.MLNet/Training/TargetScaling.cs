namespace SeqClassify.MLNet.Training;

/// <summary>
/// A regression's targets standardized for training, (y - Mean) / Scale, so that one learning rate and one
/// initialisation suit scores of any range (STS-B's 0-5 as well as prices); the scaling is folded into the
/// head's last layer when training ends (<see cref="FoldInto"/>), so that the saved network, its ONNX graph
/// and the server all predict the score itself, with nothing else to store.
/// </summary>
/// <param name="Mean">The training targets' mean.</param>
/// <param name="Scale">Their standard deviation (1 when they are all equal).</param>
internal sealed record TargetScaling(double Mean, double Scale)
{
    /// <summary>No scaling: the network trains on the scores as they are.</summary>
    public static readonly TargetScaling None = new(0, 1);

    public static TargetScaling Of(IReadOnlyList<float> scores)
    {
        double mean = scores.Average(s => (double)s);
        double variance = scores.Sum(s => (s - mean) * (s - mean)) / Math.Max(scores.Count, 1);
        double scale = Math.Sqrt(variance);
        return new TargetScaling(mean, scale > 1e-12 ? scale : 1);
    }

    public float Standardize(float score) => (float)((score - Mean) / Scale);

    public float Restore(float output) => (float)(output * Scale + Mean);

    /// <summary>
    /// The head's last layer ("fc") rescaled so that it outputs Restore(what it output): weights times Scale,
    /// bias times Scale plus Mean. <paramref name="archive"/> is the network's parameters (a tensor archive).
    /// </summary>
    public byte[] FoldInto(byte[] archive)
    {
        var tensors = Torch.TensorArchive.Read(archive).ToList();
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (t.Name is not ("fc.weight" or "fc.bias")) continue;
            bool bias = t.Name == "fc.bias";
            tensors[i] = t with { Floats = t.Floats!.Select(v => (float)(v * Scale + (bias ? Mean : 0))).ToArray() };
        }
        return Torch.TensorArchive.Write(tensors);
    }
}
