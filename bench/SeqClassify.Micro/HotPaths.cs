using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using SeqClassify.MLNet.Text;
using SeqClassify.Torch;

namespace SeqClassify.Micro;

/// <summary>
/// The hot paths at the reference model's sizes (GRU, embedding 100, hidden 128, batch 32):
/// tokenize + ids of one review, one training step, one forward pass, one single-text prediction.
/// </summary>
[MemoryDiagnoser]
public class HotPaths
{
    private const string Review =
        "I went in expecting little and came out delighted. The cast is superb, the script sharp and funny, " +
        "and the last act ties every thread together without a single false note. Some scenes drag a little, " +
        "but the music carries them. (Recommended!) <br /><br />Would watch again.";

    private TokenToIdMappingTransformer _vocabulary = null!;
    private SequenceClassifierModel _model = null!;
    private SequenceBatch _batch = null!;
    private long[] _labels = null!;
    private PredictionEngine<TextInput, Scores> _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.Threads = 2;
        var ml = new MLContext(seed: 1);
        var texts = Enumerable.Range(0, 64).Select(i => new Labelled { Label = i % 2 == 0 ? "pos" : "neg", Text = Review + " " + i }).ToList();
        var data = ml.Data.LoadFromEnumerable(texts);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens"))
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SeqClassify.MLNet.Training.SequenceClassificationOptions { Epochs = 1, Bidirectional = false, PretrainedEmbeddings = SeqClassify.MLNet.Training.PretrainedModelKind.None }));
        var fitted = pipeline.Fit(data);
        _vocabulary = ((IEnumerable<ITransformer>)fitted).OfType<TokenToIdMappingTransformer>().Single();
        _engine = ml.Model.CreatePredictionEngine<TextInput, Scores>(fitted);

        var random = new Random(3);
        // 32 rows of 250 ids, as a batch of IMDB reviews.
        _batch = SequenceBatch.FromTokenIds(Enumerable.Range(0, 32)
            .Select(_ => (IReadOnlyList<long>)Enumerable.Range(0, 250).Select(_ => (long)random.Next(2, 20_000)).ToArray()).ToList());
        _labels = Enumerable.Range(0, 32).Select(i => (long)(i % 2)).ToArray();
        _model = new SequenceClassifierModel(new SequenceModelOptions { VocabularySize = 20_000, InputSize = 100, HiddenSize = 128, NumClasses = 2, Bidirectional = false, Pooling = SequencePooling.Last, Dropout = 0, EmbeddingDropout = 0, GradientClipNorm = 0 });
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public long[] TokenizeAndMapIds() => _vocabulary.Map(BasicEnglishTokenizer.Tokenize(Review));

    [Benchmark]
    public TrainStepResult TrainingStep() => _model.TrainStep(_batch, _labels, 1e-3);

    [Benchmark]
    public float[] ForwardPass() => _model.Predict(_batch);

    [Benchmark]
    public Scores SingleTextPrediction() => _engine.Predict(new TextInput { Text = Review });

    public sealed class Labelled
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    public sealed class TextInput
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    public sealed class Scores
    {
        public float[] Score { get; set; } = [];
    }
}
