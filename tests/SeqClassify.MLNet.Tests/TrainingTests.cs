using Microsoft.ML.Runtime;

namespace SeqClassify.MLNet.Tests;

[TestFixture]
public class TrainingTests
{
    private static IDataView Ids(MLContext ml, IDataView data) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds()).Fit(data).Transform(data);

    [Test]
    public void TheTrainerAddsScoreAndPredictedLabelAsMLNetTrainersDo()
    {
        var ml = new MLContext(seed: 1);
        var ids = Ids(ml, Pipelines.Sentences(ml));
        var trainer = ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small());

        var shape = trainer.GetOutputSchema(Pipelines.Shape(ids.Schema));
        var schema = trainer.Fit(ids).Transform(ids).Schema;

        Assert.That(shape.Single(c => c.Name == "Score").ItemType, Is.EqualTo(NumberDataViewType.Single));
        Assert.That(shape.Single(c => c.Name == "PredictedLabel").IsKey, Is.True);
        Assert.That(schema["Score"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 2)));
        Assert.That(schema["PredictedLabel"].Type, Is.EqualTo(schema["Label"].Type), "the label's key type");
        VBuffer<ReadOnlyMemory<char>> names = default;
        schema["Score"].GetSlotNames(ref names);
        Assert.That(names.DenseValues().Select(n => n.ToString()), Is.EqualTo(new[] { "pos", "neg" }));
        VBuffer<ReadOnlyMemory<char>> keys = default;
        schema["PredictedLabel"].GetKeyValues(ref keys);
        Assert.That(keys.DenseValues().Select(n => n.ToString()), Is.EqualTo(new[] { "pos", "neg" }));
    }

    [Test]
    public void MLNetsOwnEvaluatorAndMapKeyToValueWorkOnTheOutput()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var model = Pipelines.Text(ml, Pipelines.Small(epochs: 60)).Fit(data);
        var scored = model.Transform(data);

        var metrics = ml.MulticlassClassification.Evaluate(scored);

        Assert.That(metrics.MicroAccuracy, Is.EqualTo(1.0), "8 sentences are learned by heart");
        Assert.That(metrics.ConfusionMatrix.NumberOfClasses, Is.EqualTo(2));
        Assert.That(scored.GetColumn<string>("PredictedLabel"), Is.EqualTo(Pipelines.SentenceRows.Select(r => r.Label)));
    }

    [Test]
    public void ReadingOnlyTheInputsColumnsThroughTheClassifierNeedsNoScoring()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var scored = Pipelines.Text(ml).Fit(data).Transform(data);

        // The ids' length passes through the classifier; reading it alone once failed ("requested column not active").
        Assert.That(scored.GetColumn<int>("Length"), Is.EqualTo(Pipelines.SentenceRows.Select(r => r.Text.Split(' ').Length)));
    }

    // Issue 22, item 4: the learning rate blows up after epoch 1 (set from the progress callback, which
    // runs on the training thread): step 2's update ruins the weights, step 3's loss is NaN. Fit throws
    // naming step 3 and keeps epoch 1, whose weights gave a finite loss (epoch 2 ended after the bad update).
    [Test]
    public void ADivergingRunThrowsNamingTheStepAndKeepsTheLastEpochWithFiniteWeights()
    {
        var ml = new MLContext(seed: 1);
        var ids = Ids(ml, Pipelines.Sentences(ml));
        var options = Pipelines.Small(epochs: 5);
        options.ValidationFraction = 0;
        options.Progress = new OnTrainingThread(p =>
        {
            if (p.EpochCompleted?.Epoch == 1) options.LearningRate = 1e38;  // its update overflows float: infinite weights
        });

        var error = Assert.Throws<TrainingDivergedException>(() => ml.MulticlassClassification.Trainers.SequenceClassification(options).Fit(ids))!;

        Assert.That((error.Step, error.Epoch), Is.EqualTo((3, 3)), "8 sentences are one batch: a step per epoch");
        Assert.That(error.Message, Does.Contain("training diverged at step 3 (epoch 3, batch 1): the loss became NaN")
            .And.Contain("is most likely too high: try one ten times lower").And.Contain("The model of epoch 1"));
        Assert.That(error.LearningRate, Is.GreaterThan(1e37), "the step's rate (the schedule's share of 1e38)");
        using var kept = error.Model!;
        Assert.That(kept.History.BestEpoch, Is.EqualTo(1));
        Assert.That(kept.Transform(ids).GetColumn<float[]>("Score").SelectMany(s => s), Is.All.Matches<float>(float.IsFinite));
        Assert.That(() => ml.Model.Save(kept, ids.Schema, new MemoryStream()), Throws.Nothing);
    }

    private sealed class OnTrainingThread(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    // Issue 22, item 7: one very long row does not set training's memory: rows over MaximumRowSteps are
    // cut for training, and the trainer says how many; prediction still reads the whole row.
    [Test]
    public void RowsLongerThanTheRowBudgetAreCutForTrainingAndCounted()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.RawMessage); };
        var rows = Pipelines.SentenceRows.Append(new LabeledText { Label = "pos", Text = string.Join(' ', Enumerable.Repeat("wonderful film", 50_000)) }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Pipelines.Small(epochs: 1);
        options.MaximumRowSteps = 1_000;

        var model = Pipelines.Text(ml, options).Fit(data);

        Assert.That(messages, Has.Some.Contains("1 training row(s) longer than 1,000 steps were cut to their first 1,000 for training"));
        var scores = model.Transform(data).GetColumn<float[]>("Score").ToList();
        Assert.That(scores, Has.Count.EqualTo(rows.Length), "prediction reads every row, the long one whole");
    }

    [Test]
    public void IntegerLabelsComeBackAsIntegers()
    {
        var ml = new MLContext(seed: 1);
        var rows = Pipelines.SentenceRows.Select(r => new NumberLabeledText { Label = r.Label == "pos" ? 7 : 3, Text = r.Text }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds())
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small(epochs: 60)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var predicted = pipeline.Fit(data).Transform(data);

        Assert.That(predicted.Schema["PredictedLabel"].Type, Is.EqualTo(NumberDataViewType.Int32));
        Assert.That(predicted.GetColumn<int>("PredictedLabel"), Is.EqualTo(rows.Select(r => r.Label)));
    }

    [Test]
    public void TransformScoresInBatchesExactlyAsEachRowAlone()
    {
        // More rows than one 256-row batch, through ML.NET's chain (which would split them between
        // parallel cursors), against PredictionEngine's one-row-at-a-time path.
        var ml = new MLContext(seed: 1);
        var split = ml.Data.StratifiedTrainTestSplit(Pipelines.SmsSpam(ml), testFraction: 0.2);
        var model = Pipelines.Text(ml, Pipelines.Small(epochs: 1)).Fit(split.TrainSet);

        var batched = model.Transform(split.TestSet).GetColumn<float[]>("Score").ToList();
        // A server's small token budget (seqclassify serve --batch-tokens) splits batches further.
        model.OfType<SequenceClassificationTransformer>().Single().PredictionBatchTokens = 64;
        var budgeted = model.Transform(split.TestSet).GetColumn<float[]>("Score").ToList();
        var engine = ml.Model.CreatePredictionEngine<LabeledText, TextPrediction>(model);
        var alone = split.TestSet.GetColumn<string>("Text").Select(t => engine.Predict(new LabeledText { Text = t }).Score.ToArray()).ToList();

        Assert.That(batched, Has.Count.EqualTo(1114));
        for (int row = 0; row < alone.Count; row++)
        {
            Assert.That(batched[row], Is.EqualTo(alone[row]).Within(1e-5), $"row {row}");
            Assert.That(budgeted[row], Is.EqualTo(alone[row]).Within(1e-5), $"row {row}, 64 tokens per batch");
        }
        Assert.That(() => model.OfType<SequenceClassificationTransformer>().Single().PredictionBatchTokens = 0,
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("PredictionBatchTokens must be at least 1"));
    }

    [Test]
    public void SeqClassifyStepsMixWithMLNetBuiltInTransforms()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.NormalizeText("Clean", "Text", keepPunctuations: false))
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Clean"))
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens"))
            .Append(ml.Transforms.Concatenate("Features", "Length"))
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small(epochs: 60)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var scored = pipeline.Fit(data).Transform(data);

        Assert.That(scored.Schema.GetColumnOrNull("Features"), Is.Not.Null);
        Assert.That(ml.MulticlassClassification.Evaluate(scored).MicroAccuracy, Is.EqualTo(1.0));
    }

    [Test]
    public void HistoryRecordsEveryEpochWithValidationMetrics()
    {
        var ml = new MLContext(seed: 1);
        var options = Pipelines.Small(epochs: 3);
        options.ValidationFraction = 0.25;
        var reports = new List<TrainingProgress>();
        options.Progress = new SynchronousProgress<TrainingProgress>(reports.Add);

        var history = Pipelines.Text(ml, options).Fit(Pipelines.Sentences(ml)).Classifier().History;

        Assert.That(history.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(history.Epochs, Has.All.Matches<EpochSummary>(e => e.ValidationAccuracy is >= 0 and <= 1 && e.ValidationLogLoss > 0 && e.Seconds > 0));
        Assert.That(history.TrainingRows + history.ValidationRows, Is.EqualTo(8));
        Assert.That(history.BestEpoch, Is.InRange(1, 3));
        Assert.That(reports.Count(r => r.EpochCompleted is not null), Is.EqualTo(3));
        Assert.That(reports.Where(r => r.EpochCompleted is null), Has.All.Matches<TrainingProgress>(r => r.Batch >= 1 && r.RowsPerSecond > 0 && r.Loss > 0));
    }

    [Test]
    public void ByDefaultFivePercentIsHeldOutWhenThatIsAtLeastAHundredRowsAndTheLogSaysSo()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => log.Add(e.Message);

        var large = Pipelines.Text(ml, Pipelines.Small(epochs: 1)).Fit(Pipelines.SmsSpam(ml)).Classifier().History;
        var small = Pipelines.Text(ml, Pipelines.Small(epochs: 1)).Fit(Pipelines.Sentences(ml)).Classifier().History;

        // 5,574 rows: 5% of each class held out, the best epoch kept.
        Assert.That(large.ValidationRows, Is.InRange(270, 290));
        Assert.That(large.TrainingRows + large.ValidationRows, Is.EqualTo(5574));
        Assert.That(large.Epochs.Single().ValidationAccuracy, Is.Not.Null);
        Assert.That(log, Has.Some.Contains("holding out 5% of the training rows"), "through the host's channel");
        Assert.That(small.ValidationRows, Is.Zero, "8 rows: 5% would be no row at all");
    }

    [Test]
    public void EarlyStoppingStopsAndRestoresTheBestEpoch()
    {
        var ml = new MLContext(seed: 1);
        var small = ml.Data.StratifiedTrainTestSplit(Pipelines.SmsSpam(ml), 0.1).TestSet;  // 557 rows
        var options = Pipelines.Small(epochs: 30);
        options.ValidationFraction = 0.3;
        options.EarlyStoppingPatience = 2;
        options.LearningRate = 0.02;

        var history = Pipelines.Text(ml, options).Fit(small).Classifier().History;

        Assert.That(history.StoppedEarly, Is.True);
        Assert.That(history.Epochs, Has.Count.LessThan(30));
        double best = history.Epochs.Max(e => e.ValidationAccuracy!.Value);
        Assert.That(history.Epochs[history.BestEpoch - 1].ValidationAccuracy, Is.EqualTo(best));
        Assert.That(history.Epochs.Count - history.BestEpoch, Is.EqualTo(2), "stopped two epochs after the best");
    }

    [Test]
    public void ACancellationTokenReturnsAUsableModelAndSaysSo()
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

        Assert.That(model.Classifier().History.Cancelled, Is.True);
        Assert.That(model.Classifier().History.Epochs, Has.Count.EqualTo(1));
        Assert.That(ml.MulticlassClassification.Evaluate(model.Transform(data)).ConfusionMatrix.Counts.Sum(r => r.Sum()), Is.EqualTo(8));
    }

    [Test]
    public void MLContextCancelExecutionStopsWithinOneBatchAndKeepsTheModel()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) warnings.Add(e.Message); };
        var options = Pipelines.Small(epochs: 50);
        options.BatchSize = 2;
        int batches = 0;
        options.Progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.EpochCompleted is null && ++batches == 3) ml.CancelExecution();
        });

        var classifier = ml.MulticlassClassification.Trainers.SequenceClassification(options).Fit(Ids(ml, Pipelines.Sentences(ml)));

        Assert.That(classifier.History.Cancelled, Is.True);
        Assert.That(batches, Is.EqualTo(3), "no batch after the cancellation");
        Assert.That(warnings, Has.Some.Contains("training cancelled"));
    }

    [Test]
    public void ASeparateValidationSetIsUsed()
    {
        var ml = new MLContext(seed: 1);
        var ids = Ids(ml, Pipelines.Sentences(ml));

        var model = ml.MulticlassClassification.Trainers.SequenceClassification(Pipelines.Small()).Fit(ids, ids);

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
        var classifier = model.Classifier();
        var vocabulary = ((IEnumerable<ITransformer>)model).OfType<TokenToIdMappingTransformer>().Single().Vocabulary;
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
        var data = ml.Data.LoadFromEnumerable(NumericRows(200, seed: 4));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SequenceClassification(new SequenceClassificationOptions
            {
                FeatureColumnName = "Steps", FeatureSize = 2, HiddenSize = 16, Epochs = 15, LearningRate = 0.01, Dropout = 0, EmbeddingDropout = 0,
                PretrainedEmbeddings = PretrainedModelKind.None,
            }));

        var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(data).Transform(data));

        Assert.That(metrics.MicroAccuracy, Is.GreaterThan(0.85));
    }

    [Test]
    public void MLNetsCrossValidateRunsTheRnnTrainer()
    {
        var ml = new MLContext(seed: 1);
        var small = ml.Data.StratifiedTrainTestSplit(Pipelines.SmsSpam(ml), 0.1).TestSet;

        var folds = ml.MulticlassClassification.CrossValidate(small, Pipelines.Text(ml, Pipelines.Small(epochs: 3)), numberOfFolds: 3);

        Assert.That(folds, Has.Count.EqualTo(3));
        Assert.That(folds.Sum(f => f.Metrics.ConfusionMatrix.Counts.Sum(r => r.Sum())), Is.EqualTo(small.GetRowCount()));
        Assert.That(folds.Select(f => f.Metrics.MicroAccuracy), Has.All.GreaterThan(0.8));
    }

    [Test]
    public void TheStratifiedSplitDividesEveryClass()
    {
        var ml = new MLContext(seed: 1);

        var split = ml.Data.StratifiedTrainTestSplit(Pipelines.SmsSpam(ml), testFraction: 0.2);
        var test = split.TestSet.GetColumn<string>("Label").ToList();
        var train = split.TrainSet.GetColumn<string>("Label").ToList();

        // Each class split 80/20 on its own: 965 of 4,827 ham and 149 of 747 spam held out.
        Assert.That(test.Count(l => l == "ham"), Is.EqualTo(965));
        Assert.That(test.Count(l => l == "spam"), Is.EqualTo(149));
        Assert.That(train.Count + test.Count, Is.EqualTo(5574));
    }

    internal static IEnumerable<Sequence> NumericRows(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int steps = random.Next(3, 12);
            var values = new float[steps * 2];
            for (int s = 0; s < steps; s++)
            {
                values[2 * s] = (float)random.NextDouble() * 2 - 1;
                values[2 * s + 1] = (float)random.NextDouble();
            }
            float sum = Enumerable.Range(0, steps).Sum(s => values[2 * s]);
            yield return new Sequence { Steps = values, Label = sum > 0 ? "up" : "down" };
        }
    }

    public sealed class NumberLabeledText
    {
        public int Label { get; set; }
        public string Text { get; set; } = "";
    }

    internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    // Gradient accumulation: a step per GradientAccumulationSteps batches (the last one of an epoch
    // takes those left), learning from BatchSize x that many rows.
    [Test]
    public void AccumulatedBatchesMakeOneStepEach()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var options = Pipelines.Small(epochs: 3);
        options.BatchSize = 2;                      // 8 rows: 4 batches an epoch
        options.GradientAccumulationSteps = 3;      // steps of 3 and 1 batches
        options.BucketByLength = false;

        var model = Pipelines.Text(ml, options).Fit(data);

        var history = model.Classifier().History;
        Assert.That(history.Steps, Is.EqualTo(2 * 3), "two steps an epoch");
        Assert.That(history.Settings!.GradientAccumulationSteps, Is.EqualTo(3));
        Assert.That(history.Epochs.Select(e => e.TrainLoss), Has.All.Matches<double>(double.IsFinite));
        options.GradientAccumulationSteps = 0;
        Assert.That(() => ml.MulticlassClassification.Trainers.SequenceClassification(options),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("GradientAccumulationSteps must be between 1 and 1024, got 0"));
    }
}
