using SeqClassify.MLNet.Onnx;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests.Onnx;

/// <summary>
/// Issue 23, items 1 and 4: every encoder and pooling the engine trains, exported alone
/// (ExportNetworkToOnnx), run in ONNX Runtime on one padded batch of mixed lengths and on single rows,
/// gives the engine's probabilities within 1e-5.
/// </summary>
public class NetworkExportTests
{
    private const float Tolerance = 1e-5f;

    public sealed class IdRow
    {
        [VectorType] public long[] Ids { get; set; } = [];
    }

    private static SequenceClassificationOptions Small(Action<SequenceClassificationOptions> configure)
    {
        var options = Pipelines.Small(epochs: 1);
        options.Seed = 3;
        configure(options);
        return options;
    }

    private static IEnumerable<TestCaseData> RecurrentCases()
    {
        SequencePooling[] poolings = [SequencePooling.Last, SequencePooling.Mean, SequencePooling.Max, SequencePooling.First, SequencePooling.Attention];
        RnnCellType[] cells = [RnnCellType.Rnn, RnnCellType.RnnRelu, RnnCellType.Gru, RnnCellType.Lstm];
        foreach (var cell in cells)
        {
            foreach (var pooling in poolings)
            {
                // Bidirectional and stacked (the hardest case for padding), a ReLU head on every other one.
                yield return new TestCaseData(cell, true, 2, pooling, pooling is SequencePooling.Mean or SequencePooling.Attention ? 8 : 0);
            }
            yield return new TestCaseData(cell, false, 1, SequencePooling.Last, 0);
        }
    }

    [TestCaseSource(nameof(RecurrentCases))]
    public void Recurrent_network_in_onnx_runtime_scores_as_the_engine(RnnCellType cell, bool bidirectional, int layers, SequencePooling pooling, int headHidden)
    {
        var classifier = TrainOnSentences(Small(o =>
        {
            o.Cell = cell;
            o.Bidirectional = bidirectional;
            o.NumLayers = layers;
            o.Pooling = pooling;
            o.HeadHiddenSize = headHidden;
        }));
        AssertSameScores(classifier, RandomRows(classifier.ModelOptions.VocabularySize, [1, 2, 3, 5, 8, 9, 13, 4]));
    }

    private static IEnumerable<TestCaseData> TransformerCases()
    {
        foreach (var pooling in new[] { SequencePooling.Mean, SequencePooling.Max, SequencePooling.First, SequencePooling.Attention, SequencePooling.ClsPooler })
        {
            yield return new TestCaseData(pooling, "post-norm relu sinusoidal");
            yield return new TestCaseData(pooling, "pre-norm gelu learned projected");
        }
        yield return new TestCaseData(SequencePooling.Mean, "bert-like token types");
    }

    [TestCaseSource(nameof(TransformerCases))]
    public void Transformer_in_onnx_runtime_scores_as_the_engine(SequencePooling pooling, string variant)
    {
        var classifier = TrainOnSentences(Small(o =>
        {
            o.Encoder = SequenceEncoder.Transformer;
            o.Heads = 2;
            o.FeedForwardSize = 24;
            o.NumLayers = 2;
            o.MaxPositions = 12;
            o.Pooling = pooling;
            switch (variant)
            {
                case "pre-norm gelu learned projected":
                    o.NormFirst = true;
                    o.Activation = TransformerActivation.Gelu;
                    o.PositionalEncoding = PositionalEncoding.Learned;
                    o.EmbeddingDimension = 12;  // projected to the width 16
                    break;
                case "bert-like token types":
                    o.Activation = TransformerActivation.Gelu;
                    o.PositionalEncoding = PositionalEncoding.Learned;
                    o.Network.ScaleEmbedding = false;
                    o.Network.EmbeddingNorm = true;
                    o.Network.LayerNormEpsilon = 1e-12;
                    o.Network.TokenTypes = 2;
                    o.Network.SegmentSeparatorId = 3;
                    break;
            }
        }));
        // A row of 15 ids: longer than MaxPositions, cut to 12 by the model and by the graph alike.
        var rows = RandomRows(classifier.ModelOptions.VocabularySize, [1, 2, 7, 12, 15, 4, 9]);
        if (variant == "bert-like token types") rows.Add([2, 3, 5, 3, 6, 7]);  // two segments
        AssertSameScores(classifier, rows);
    }

    [TestCase(SequenceEncoder.Rnn, SequencePooling.Attention)]
    [TestCase(SequenceEncoder.Rnn, SequencePooling.Last)]
    [TestCase(SequenceEncoder.Transformer, SequencePooling.Mean)]
    public void Feature_sequences_in_onnx_runtime_score_as_the_engine(SequenceEncoder encoder, SequencePooling pooling)
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 24).Select(i => new Sequence
        {
            Label = i % 2 == 0 ? "a" : "b",
            Steps = Enumerable.Range(0, 2 * (1 + i % 7)).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray(),
        }).ToList();
        var options = Small(o =>
        {
            o.FeatureColumnName = "Steps";
            o.FeatureSize = 2;
            o.Encoder = encoder;
            o.Pooling = pooling;
            o.Heads = 2;
            o.FeedForwardSize = 16;
            o.MaxPositions = 16;
        });
        options.PretrainedEmbeddings = PretrainedModelKind.None;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.SequenceClassification(options)).Fit(ml.Data.LoadFromEnumerable(rows));
        var classifier = model.LastTransformer;
        float[][] expected = classifier.Score(ml.Data.LoadFromEnumerable(rows));
        byte[] onnx = Export(classifier);
        var steps = rows.Select(r => r.Steps).ToList();
        AssertClose(OnnxRuntimeRunner.RunNetwork(onnx, steps, 2)["probabilities"], expected, "padded batch");
        AssertClose(OnnxRuntimeRunner.RunNetwork(onnx, [steps[5]], 2)["probabilities"], [expected[5]], "single row");
    }

    [Test]
    public void Standalone_model_declares_its_inputs_outputs_and_labels()
    {
        var classifier = TrainOnSentences(Small(o => o.Pooling = SequencePooling.Attention));
        var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Export(classifier));
        Assert.That(session.InputMetadata.Keys, Is.EquivalentTo(new[] { "ids", "lengths" }));
        Assert.That(session.InputMetadata["ids"].Dimensions, Is.EqualTo(new[] { -1, -1 }));
        Assert.That(session.InputMetadata["lengths"].Dimensions, Is.EqualTo(new[] { -1 }));
        Assert.That(session.OutputMetadata.Keys, Is.EquivalentTo(new[] { "probabilities", "attention_weights" }));
        Assert.That(session.OutputMetadata["probabilities"].Dimensions, Is.EqualTo(new[] { -1, 2 }));
        Assert.That(session.ModelMetadata.CustomMetadataMap["labels"], Is.EqualTo(System.Text.Json.JsonSerializer.Serialize(classifier.LabelNames)));
        session.Dispose();
    }

    private static SequenceClassificationTransformer TrainOnSentences(SequenceClassificationOptions options)
    {
        var ml = new MLContext(seed: 1);
        return Pipelines.Text(ml, options).Fit(Pipelines.Sentences(ml)).Classifier();
    }

    private static List<long[]> RandomRows(int vocabulary, int[] lengths)
    {
        var random = new Random(11);
        return lengths.Select(n => Enumerable.Range(0, n).Select(_ => (long)random.Next(1, vocabulary)).ToArray()).ToList();
    }

    private static byte[] Export(SequenceClassificationTransformer classifier)
    {
        using var stream = new MemoryStream();
        classifier.ExportNetworkToOnnx(stream);
        return stream.ToArray();
    }

    /// <summary>The engine (batched, as the transformer scores a data set) against ONNX Runtime on one padded batch, then on single rows.</summary>
    private static void AssertSameScores(SequenceClassificationTransformer classifier, List<long[]> rows)
    {
        var ml = new MLContext(seed: 1);
        float[][] expected = classifier.Score(ml.Data.LoadFromEnumerable(rows.Select(r => new IdRow { Ids = r }).ToList()));
        byte[] onnx = Export(classifier);
        var batch = OnnxRuntimeRunner.RunNetwork(onnx, rows);
        AssertClose(batch["probabilities"], expected, "padded batch");
        for (int i = 0; i < rows.Count; i += 3)
        {
            AssertClose(OnnxRuntimeRunner.RunNetwork(onnx, [rows[i]])["probabilities"], [expected[i]], $"row {i} alone");
        }
        if (classifier.HasAttentionWeights)
        {
            var weights = batch["attention_weights"];
            for (int i = 0; i < rows.Count; i++)
            {
                int kept = Math.Min(rows[i].Length, classifier.MaximumLength > 0 ? classifier.MaximumLength : int.MaxValue);
                Assert.That(weights[i].Take(kept).Sum(), Is.EqualTo(1f).Within(1e-5f), $"row {i}: attention weights over its steps sum to 1");
                Assert.That(weights[i].Skip(kept), Is.All.EqualTo(0f), $"row {i}: no weight on padding");
            }
        }
    }

    private static void AssertClose(float[][] actual, float[][] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(Tolerance), $"{what}: row {i}");
        }
    }
}
