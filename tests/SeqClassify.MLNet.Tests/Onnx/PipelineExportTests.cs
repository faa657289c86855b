using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests.Onnx;

/// <summary>
/// Issue 23, items 2-4: mlContext.Model.ConvertToOnnx exports a pipeline that mixes ML.NET's
/// transforms with SeqClassify's (the vocabulary as ONNX-ML's LabelEncoder, the classifier), and ONNX
/// Runtime computes the same Score and PredictedLabel from raw text; SeqClassify's own tokenizers are
/// refused naming themselves and why.
/// </summary>
public class PipelineExportTests
{
    private static readonly string[] Texts =
    [
        "a wonderful , warm film",
        "i hated it",
        "never seen words everywhere here",
        "",
        "great acting and a lovely story but awful acting and a boring story",  // cut to 6 ids, head and tail
        "brilliant ! terrible . i loved it",
    ];

    [TestCase(SequenceEncoder.Rnn, SequencePooling.Attention)]
    [TestCase(SequenceEncoder.Transformer, SequencePooling.Mean)]
    public void Pipeline_with_mlnet_tokenizer_exports_and_scores_alike_from_raw_text(SequenceEncoder encoder, SequencePooling pooling)
    {
        var ml = new MLContext(seed: 1);
        var trainer = Pipelines.Small(epochs: 2);
        trainer.Encoder = encoder;
        trainer.Pooling = pooling;
        trainer.Heads = 2;
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", maximumLength: 6, truncation: TruncationPolicy.KeepHeadAndTail))
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(trainer))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(Pipelines.Sentences(ml));
        var rows = Texts.Select(t => new LabeledText { Label = "pos", Text = t }).ToList();
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var expectedScores = scored.GetColumn<float[]>("Score").ToArray();
        var expectedLabels = scored.GetColumn<string>("PredictedLabel").ToArray();
        var expectedLengths = scored.GetColumn<int>("Length").ToArray();

        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, ml.Data.LoadFromEnumerable(rows), stream);
        using var session = new InferenceSession(stream.ToArray());
        for (int i = 0; i < rows.Count; i++)
        {
            // One row at a time, as ML.NET's exported text pipelines take them (its Tokenizer reshapes to one row).
            using var results = session.Run(
            [
                NamedOnnxValue.CreateFromTensor("Text", new DenseTensor<string>(new[] { rows[i].Text }, [1, 1])),
                NamedOnnxValue.CreateFromTensor("Label", new DenseTensor<string>(new[] { rows[i].Label }, [1, 1])),
            ]);
            var outputs = results.ToDictionary(r => r.Name);
            Assert.That(outputs["Score.output"].AsTensor<float>().ToArray(), Is.EqualTo(expectedScores[i]).Within(1e-5f), $"text {i}: scores");
            Assert.That(outputs["PredictedLabel.output"].AsTensor<string>().ToArray(), Is.EqualTo(new[] { expectedLabels[i] }), $"text {i}: label");
            Assert.That(outputs["Length.output"].AsTensor<int>().ToArray(), Is.EqualTo(new[] { expectedLengths[i] }), $"text {i}: length");
        }
    }

    [Test]
    public void Feature_sequence_pipeline_exports_and_scores_each_row_alike()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 16).Select(i => new Sequence
        {
            Label = i % 2 == 0 ? "up" : "down",
            Steps = Enumerable.Range(0, 2 * (1 + i % 5)).Select(_ => (float)random.NextDouble()).ToArray(),
        }).ToList();
        var trainer = Pipelines.Small(epochs: 1);
        trainer.FeatureColumnName = "Steps";
        trainer.FeatureSize = 2;
        trainer.Pooling = SequencePooling.Mean;
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.SequenceClassification(trainer)).Fit(data);
        var expected = model.Transform(data).GetColumn<float[]>("Score").ToArray();

        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        using var session = new InferenceSession(stream.ToArray());
        for (int i = 0; i < rows.Count; i++)
        {
            using var results = session.Run(
            [
                NamedOnnxValue.CreateFromTensor("Steps", new DenseTensor<float>(rows[i].Steps, [1, rows[i].Steps.Length])),
                NamedOnnxValue.CreateFromTensor("Label", new DenseTensor<string>(new[] { rows[i].Label }, [1, 1])),
            ]);
            Assert.That(results.Single(r => r.Name == "Score.output").AsTensor<float>().ToArray(), Is.EqualTo(expected[i]).Within(1e-5f), $"row {i}");
        }
    }

    [Test]
    public void Vocabulary_maps_padded_token_batches_and_truncates_each_row_as_dotnet()
    {
        var ml = new MLContext(seed: 1);
        foreach (var policy in Enum.GetValues<TruncationPolicy>())
        {
            var mapping = ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", maximumLength: 4, truncation: policy)
                .Fit(ml.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = "a b c d e f g".Split(' ') } }));
            string[][] rows = [["a", "b"], "a b c d e f g".Split(' '), [], ["g", "x", "c", "d", "e"], ["f"]];
            var view = ml.Data.LoadFromEnumerable(rows.Select(r => new TokenRow { Tokens = r }).ToList());
            var expected = mapping.Transform(view).GetColumn<long[]>("Ids").ToArray();
            using var stream = new MemoryStream();
            ml.Model.ConvertToOnnx(mapping, view, stream);
            using var session = new InferenceSession(stream.ToArray());
            int width = rows.Max(r => r.Length);
            var tokens = new DenseTensor<string>([rows.Length, width]);
            for (int b = 0; b < rows.Length; b++)
            {
                for (int t = 0; t < width; t++) tokens[b, t] = t < rows[b].Length ? rows[b][t] : "";
            }
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Tokens", tokens)]);
            var outputs = results.ToDictionary(r => r.Name);
            var ids = outputs["Ids.output"].AsTensor<long>();
            var lengths = outputs["Length.output"].AsTensor<int>().ToArray();
            for (int b = 0; b < rows.Length; b++)
            {
                Assert.That(lengths[b], Is.EqualTo(expected[b].Length), $"{policy}, row {b}: length");
                var row = Enumerable.Range(0, ids.Dimensions[1]).Select(t => ids[b, t]).ToArray();
                Assert.That(row.Take(lengths[b]), Is.EqualTo(expected[b]), $"{policy}, row {b}: ids");
                Assert.That(row.Skip(lengths[b]), Is.All.EqualTo(0L), $"{policy}, row {b}: padding");
            }
        }
    }

    [Test]
    public void SeqClassify_tokenizer_is_refused_naming_itself_and_the_reason()
    {
        var ml = new MLContext(seed: 1);
        var model = Pipelines.Text(ml).Fit(Pipelines.Sentences(ml));
        using var stream = new MemoryStream();
        var error = Assert.Throws<NotSupportedException>(() => ml.Model.ConvertToOnnx(model, Pipelines.Sentences(ml), stream));
        Assert.That(error!.Message, Does.Contain("TokenizingTransformer").And.Contain("'Tokens' from 'Text'").And.Contain("BasicEnglishTokenizer.Tokenize"));
    }

    [Test]
    public void An_opset_below_the_one_the_export_needs_is_refused_naming_the_transformer()
    {
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = ["a", "b"] } });
        var mapping = ml.Transforms.Text.MapTokensToIds("Ids", "Tokens").Fit(view);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Model.ConvertToOnnx(mapping, view, 11, new MemoryStream()));
        Assert.That(error!.Message, Does.Contain("TokenToIdMappingTransformer's minimum OpSet version requirement: 12"));
    }

    [Test]
    public void Lower_casing_vocabulary_is_refused_naming_the_option()
    {
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = ["A", "b"] } });
        var mapping = ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", lowerCase: true).Fit(view);
        var error = Assert.Throws<NotSupportedException>(() => ml.Model.ConvertToOnnx(mapping, view, new MemoryStream()));
        Assert.That(error!.Message, Does.Contain("TokenToIdMappingTransformer with LowerCase"));
    }

    public sealed class TokenRow
    {
        [VectorType] public string[] Tokens { get; set; } = [];
    }
}
