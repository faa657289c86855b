namespace SeqClassify.MLNet.Tests;

[TestFixture]
public class PredictionEngineTests
{
    [Test]
    public void SingleAndBatchedPredictionsAgree()
    {
        var ml = new MLContext(seed: 1);
        var model = Pipelines.Text(ml).Fit(Pipelines.Sentences(ml));
        var engine = ml.Model.CreatePredictionEngine<TextInput, TextPrediction>(model);
        var inputs = new[] { "a wonderful story", "boring", "", "i loved the acting" }.Select(t => new TextInput { Text = t }).ToList();

        var batched = engine.Predict(inputs);
        var single = inputs.Select(engine.Predict).ToList();

        Assert.That(batched.Select(p => p.PredictedLabel), Is.EqualTo(single.Select(p => p.PredictedLabel)));
        Assert.That(batched.Select(p => p.Score), Is.EqualTo(single.Select(p => p.Score)).Using(new ScoreComparer()));
        Assert.That(batched.Select(p => p.PredictedLabel), Is.All.AnyOf("pos", "neg"));
        Assert.That(batched[2].Score.Sum(), Is.EqualTo(1f).Within(1e-5f), "empty text is scored from a single <unk>");
    }

    [Test]
    public void ConcurrentUseFromManyThreadsGivesTheSequentialResults()
    {
        var ml = new MLContext(seed: 1);
        var model = Pipelines.Text(ml).Fit(Pipelines.Sentences(ml));
        var engine = ml.Model.CreatePredictionEngine<TextInput, TextPrediction>(model);
        var texts = Enumerable.Range(0, 200).Select(i => new TextInput { Text = i % 3 == 0 ? "a lovely warm film" : $"dull story number {i}" }).ToArray();
        var sequential = texts.Select(t => engine.Predict(t).Score).ToArray();

        var concurrent = new float[texts.Length][];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => concurrent[i] = engine.Predict(texts[i]).Score);

        Assert.That(concurrent, Is.EqualTo(sequential).Using(new ScoreComparer()));
    }

    [Test]
    public void AnOutputClassThatReadsAMissingColumnFailsWhenTheEngineIsCreated()
    {
        var ml = new MLContext(seed: 1);
        var model = Pipelines.Text(ml).Fit(Pipelines.Sentences(ml));

        Assert.That(() => ml.Model.CreatePredictionEngine<TextInput, WrongOutput>(model),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'Probability'"));
    }

    public sealed class WrongOutput
    {
        public float Probability { get; set; }
    }

    private sealed class ScoreComparer : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) => x!.Zip(y!, (a, b) => Math.Abs(a - b) <= 1e-6f).All(ok => ok) && x!.Length == y!.Length;
        public int GetHashCode(float[] obj) => obj.Length;
    }
}
