using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Tests;

[TestFixture]
public class TrainingTests
{
    [Test]
    public void TheTrainerAddsScoreAndPredictedLabelColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var upToIds = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds());
        var ids = upToIds.Fit(data).Transform(data);
        var trainer = ml.SequenceClassification.Trainers.Rnn(Pipelines.Small());

        var expected = trainer.GetOutputSchema(ids.Schema);
        var model = trainer.Fit(ids);
        var actual = model.Transform(ids).Schema;

        Assert.That(actual["Score"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single)));
        Assert.That(actual["PredictedLabel"].Type, Is.EqualTo(new KeyDataViewType(2)));
        Assert.That(actual["PredictedLabel"].KeyValues, Is.EqualTo(new[] { "pos", "neg" }));
        Assert.That(actual.Select(c => c.ToString()), Is.EqualTo(expected.Select(c => c.ToString())));
    }

    [Test]
    public void HistoryRecordsEveryEpochWithValidationMetrics()
    {
        var ml = new MLContext(seed: 1);
        var options = Pipelines.Small(epochs: 3);
        options.ValidationFraction = 0.25;
        var reports = new List<TrainingProgress>();
        options.Progress = new SynchronousProgress<TrainingProgress>(reports.Add);

        var model = Pipelines.Text(ml, options).Fit(Pipelines.Sentences(ml));
        var history = ((SequenceClassificationTransformer)model.Transformers[3]).History;

        Assert.That(history.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(history.Epochs, Has.All.Matches<EpochSummary>(e => e.ValidationAccuracy is >= 0 and <= 1 && e.ValidationLogLoss > 0 && e.Seconds > 0));
        Assert.That(history.TrainingRows + history.ValidationRows, Is.EqualTo(8));
        Assert.That(history.BestEpoch, Is.InRange(1, 3));
        Assert.That(reports.Count(r => r.EpochCompleted is not null), Is.EqualTo(3));
        Assert.That(reports.Where(r => r.EpochCompleted is null), Has.All.Matches<TrainingProgress>(r => r.Batch >= 1 && r.RowsPerSecond > 0 && r.Loss > 0));
    }

    [Test]
    public void ByDefaultFivePercentIsHeldOutWhenThatIsAtLeastAHundredRows()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => log.Add(e.Message);
        var sms = ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false);

        var large = Pipelines.Text(ml, Pipelines.Small(epochs: 1)).Fit(sms);
        var small = Pipelines.Text(ml, Pipelines.Small(epochs: 1)).Fit(Pipelines.Sentences(ml));
        var history = ((SequenceClassificationTransformer)large.Transformers[3]).History;

        // 5,574 rows: 5% of each class (241 of 4,827 ham, 37 of 747 spam) held out, the best epoch kept.
        Assert.That(history.ValidationRows, Is.InRange(270, 290));
        Assert.That(history.TrainingRows + history.ValidationRows, Is.EqualTo(5574));
        Assert.That(history.Epochs.Single().ValidationAccuracy, Is.Not.Null);
        Assert.That(log, Has.One.Contains("holding out 5% of the training rows"));
        // 8 rows: 5% would be no row at all, so nothing is held out.
        Assert.That(((SequenceClassificationTransformer)small.Transformers[3]).History.ValidationRows, Is.Zero);
    }

    [Test]
    public void ValidationFractionZeroTrainsOnEveryRow()
    {
        var ml = new MLContext(seed: 1);
        var sms = ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false);
        var options = Pipelines.Small(epochs: 1);
        options.ValidationFraction = 0;

        var history = ((SequenceClassificationTransformer)Pipelines.Text(ml, options).Fit(sms).Transformers[3]).History;

        Assert.That(history.ValidationRows, Is.Zero);
        Assert.That(history.TrainingRows, Is.EqualTo(5574));
    }

    [Test]
    public void TheContextRaisesProgressEventsForEveryTrainer()
    {
        var ml = new MLContext(seed: 1);
        var reports = new List<TrainingProgress>();
        ml.TrainingProgress += (sender, p) =>
        {
            Assert.That(sender, Is.SameAs(ml));
            reports.Add(p);
        };

        Pipelines.Text(ml, Pipelines.Small(epochs: 2)).Fit(Pipelines.Sentences(ml));

        Assert.That(reports.Count(r => r.EpochCompleted is not null), Is.EqualTo(2));
        Assert.That(reports.Count(r => r.EpochCompleted is null), Is.EqualTo(2), "one batch of 8 rows per epoch");
        Assert.That(reports.Select(r => r.EtaSeconds), Has.All.GreaterThanOrEqualTo(0));
    }

    [Test]
    public void EarlyStoppingStopsAndRestoresTheBestEpoch()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false);
        var small = ml.Data.TrainTestSplit(data, 0.1, "Label").TestSet;  // 557 rows
        var options = Pipelines.Small(epochs: 30);
        options.ValidationFraction = 0.3;
        options.EarlyStoppingPatience = 2;
        options.LearningRate = 0.02;

        var model = Pipelines.Text(ml, options).Fit(small);
        var history = ((SequenceClassificationTransformer)model.Transformers[3]).History;

        Assert.That(history.StoppedEarly, Is.True);
        Assert.That(history.Epochs, Has.Count.LessThan(30));
        double best = history.Epochs.Max(e => e.ValidationAccuracy!.Value);
        Assert.That(history.Epochs[history.BestEpoch - 1].ValidationAccuracy, Is.EqualTo(best));
        Assert.That(history.Epochs.Count - history.BestEpoch, Is.EqualTo(2), "stopped two epochs after the best");
    }

    [Test]
    public void CancellationReturnsAUsableModelAndSaysSo()
    {
        var ml = new MLContext(seed: 1);
        using var cancel = new CancellationTokenSource();
        var options = Pipelines.Small(epochs: 50);
        options.BatchSize = 2;
        options.CancellationToken = cancel.Token;
        options.Progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Epoch == 2 && p.Batch == 2) cancel.Cancel();
        });
        var data = Pipelines.Sentences(ml);

        var model = Pipelines.Text(ml, options).Fit(data);
        var history = ((SequenceClassificationTransformer)model.Transformers[3]).History;
        var metrics = ml.SequenceClassification.Evaluate(model.Transform(data));

        Assert.That(history.Cancelled, Is.True);
        Assert.That(history.Epochs, Has.Count.EqualTo(1));
        Assert.That(metrics.RowCount, Is.EqualTo(8));
        string path = Path.Combine(TestData.ScratchDirectory(), "cancelled.zip");
        ml.Model.Save(model, data.Schema, path);
        Assert.That(ml.Model.Load(path, out _), Is.Not.Null);
    }

    [Test]
    public void ASeparateValidationSetIsUsed()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var prep = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds()).Fit(data);
        var ids = prep.Transform(data);

        var model = ml.SequenceClassification.Trainers.Rnn(Pipelines.Small()).Fit(ids, ids);

        Assert.That(model.History.ValidationRows, Is.EqualTo(8));
        Assert.That(model.History.Epochs[0].ValidationAccuracy, Is.Not.Null);
    }

    [Test]
    public void PretrainedVectorsInitialiseTheEmbeddingAndReportCoverage()
    {
        string vec = TestData.WriteFile("4 3\nwonderful 1 0 0\nfilm 0 1 0\ndull 0 0 1\nzebra 1 1 1\n", ".vec");
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => log.Add(e.Message);
        var options = Pipelines.Small();
        options.PretrainedEmbeddingsPath = vec;
        options.FreezeEmbeddings = true;

        var model = Pipelines.Text(ml, options).Fit(Pipelines.Sentences(ml));
        var classifier = (SequenceClassificationTransformer)model.Transformers[3];
        var vocabulary = ((Text.TokenToIdMappingTransformer)model.Transformers[2]).Vocabulary;
        var embedding = SeqClassify.Torch.TensorArchive.Read(classifier.Model.ExportParameters()).Single(t => t.Name == "embedding.weight");

        Assert.That(classifier.ModelOptions.InputSize, Is.EqualTo(3), "the file's dimension");
        Assert.That(embedding.Floats!.AsSpan((int)vocabulary.IdOf("film") * 3, 3).ToArray(), Is.EqualTo(new float[] { 0, 1, 0 }), "frozen: unchanged by training");
        Assert.That(classifier.History.PretrainedCoverage, Is.EqualTo(3.0 / (vocabulary.Count - 2)).Within(1e-9));
        Assert.That(log, Has.Some.Contains("cover 3 of"));
    }

    [Test]
    public void NumericSequencesTrainWithoutText()
    {
        var ml = new MLContext(seed: 2);
        var random = new Random(4);
        var rows = Enumerable.Range(0, 200).Select(_ =>
        {
            var steps = Enumerable.Range(0, random.Next(3, 12)).Select(_ => new[] { (float)random.NextDouble() * 2 - 1, (float)random.NextDouble() }).ToArray();
            return new Sequence { Steps = steps, Label = steps.Sum(s => s[0]) > 0 ? "up" : "down" };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.SequenceClassification.Trainers.Rnn(new RnnTrainerOptions
            {
                FeatureColumnName = "Steps", HiddenSize = 16, Epochs = 15, LearningRate = 0.01, Dropout = 0, EmbeddingDropout = 0,
            }));

        var model = pipeline.Fit(data);
        var metrics = ml.SequenceClassification.Evaluate(model.Transform(data));

        Assert.That(metrics.MicroAccuracy, Is.GreaterThan(0.85));
    }

    [Test]
    public void CrossValidationUsesStratifiedFolds()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false);
        var small = ml.Data.TrainTestSplit(data, 0.1, "Label").TestSet;

        var folds = ml.SequenceClassification.CrossValidate(small, Pipelines.Text(ml, Pipelines.Small(epochs: 3)), numberOfFolds: 3);

        Assert.That(folds, Has.Count.EqualTo(3));
        Assert.That(folds.Sum(f => f.Metrics.RowCount), Is.EqualTo(small.GetRowCount()));
        // Stratified: every fold holds its share of the 75 spam messages.
        Assert.That(folds.Select(f => f.Metrics.PerClassSupport[1]), Has.All.InRange(24, 26));
        Assert.That(folds.Select(f => f.Metrics.MicroAccuracy), Has.All.GreaterThan(0.8));
    }

    public sealed class Sequence
    {
        public float[][] Steps { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
