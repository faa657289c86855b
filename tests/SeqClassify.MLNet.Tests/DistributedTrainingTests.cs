using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests;

/// <summary>
/// The trainer with a <see cref="SequenceClassificationOptions.ProcessGroup"/>: ranks as threads of this process on
/// loopback, each fitting the same pipeline on the same data as its own process would. (The CLI's
/// tests run real processes.)
/// </summary>
[TestFixture]
public class DistributedTrainingTests
{
    private static IDataView Sms(MLContext ml, int rows) =>
        ml.Data.TakeRows(Pipelines.SmsSpam(ml), rows);

    private static SequenceClassificationOptions Options(int batchSize) => new()
    {
        PretrainedEmbeddings = PretrainedModelKind.None, EmbeddingDimension = 16, HiddenSize = 16, Epochs = 2, BatchSize = batchSize,
        LearningRate = 0.01, Dropout = 0, EmbeddingDropout = 0, ValidationFraction = 0.25, Seed = 3, Threads = 1,
    };

    /// <summary>Each rank's Fit on its own thread and MLContext; the results in rank order (an exception, if its Fit threw).</summary>
    private static object[] FitOnRanks(int ranks, Func<int, SequenceClassificationOptions> options, Func<int, MLContext, IDataView> data)
    {
        int port = DistributedOptions.FreeLoopbackPort();
        var results = new object[ranks];
        Parallel.For(0, ranks, new ParallelOptions { MaxDegreeOfParallelism = ranks }, rank =>
        {
            // The replicas' checksums compared every 5 steps too: Fit throws if they ever differ.
            using var group = new ProcessGroup(new DistributedOptions
            {
                MasterPort = port, WorldSize = ranks, Rank = rank, Timeout = TimeSpan.FromSeconds(60), ReplicaCheckInterval = 5,
            });
            var ml = new MLContext(seed: 1 + rank);
            var trainer = options(rank);
            trainer.ProcessGroup = group;
            try
            {
                results[rank] = Pipelines.Text(ml, trainer).Fit(data(rank, ml)).Classifier();
            }
            catch (Exception e)
            {
                results[rank] = e;
            }
        });
        return results;
    }

    [Test]
    public void TwoRanksTrainTheModelOneProcessTrainsOnTheSameGlobalBatches()
    {
        var ranks = FitOnRanks(2, _ => Options(batchSize: 8), (_, ml) => Sms(ml, 600)).Cast<SequenceClassificationTransformer>().ToArray();
        var ml = new MLContext(seed: 1);
        var alone = Pipelines.Text(ml, Options(batchSize: 16)).Fit(Sms(ml, 600)).Classifier();

        Assert.That(ranks[1].Model.ExportParameters(), Is.EqualTo(ranks[0].Model.ExportParameters()), "bit-identical replicas");
        Assert.That(ranks[0].History.Ranks, Is.EqualTo(2));
        Assert.That(ranks[0].History.Steps, Is.EqualTo(alone.History.Steps), "the same global batches");
        Assert.That(ranks[0].History.CommunicationSeconds, Is.GreaterThan(0));
        // Validation scored in shards and gathered: the same figures as one process's, so the same best epoch.
        Assert.That(ranks[0].History.Epochs.Select(e => e.ValidationAccuracy), Is.EqualTo(alone.History.Epochs.Select(e => e.ValidationAccuracy)));
        Assert.That(ranks[0].History.BestEpoch, Is.EqualTo(alone.History.BestEpoch));
        AssertSameParameters(ranks[0], alone);
    }

    // Gradient accumulation in a group: each step takes every rank's shards of N global batches, so two
    // ranks of batch 8 accumulating 2 train what one process of batch 16 accumulating 2 trains.
    [Test]
    public void TwoRanksAccumulatingTrainWhatOneProcessAccumulatingTrains()
    {
        SequenceClassificationOptions Accumulating(int batchSize)
        {
            var options = Options(batchSize);
            options.GradientAccumulationSteps = 2;
            return options;
        }
        var ranks = FitOnRanks(2, _ => Accumulating(8), (_, ml) => Sms(ml, 600)).Cast<SequenceClassificationTransformer>().ToArray();
        var ml = new MLContext(seed: 1);
        var alone = Pipelines.Text(ml, Accumulating(16)).Fit(Sms(ml, 600)).Classifier();

        Assert.That(ranks[1].Model.ExportParameters(), Is.EqualTo(ranks[0].Model.ExportParameters()), "bit-identical replicas");
        Assert.That(ranks[0].History.Steps, Is.EqualTo(alone.History.Steps), "the same steps");
        AssertSameParameters(ranks[0], alone);
    }

    // Every parameter within 1e-5 of the same parameter of the other model, relative to its largest value.
    private static void AssertSameParameters(SequenceClassificationTransformer actual, SequenceClassificationTransformer expected)
    {
        var wanted = TensorArchive.Read(expected.Model.ExportParameters()).ToDictionary(t => t.Name);
        foreach (var tensor in TensorArchive.Read(actual.Model.ExportParameters()))
        {
            var values = wanted[tensor.Name].Floats!;
            float scale = Math.Max(1e-3f, values.Max(Math.Abs));
            Assert.That(tensor.Floats, Is.EqualTo(values).Within(1e-5f * scale), tensor.Name);
        }
    }

    [Test]
    public void RanksThatReadOtherDataAreRefusedAlikeNamingTheRank()
    {
        var results = FitOnRanks(2, _ => Options(batchSize: 8), (rank, ml) => Sms(ml, rank == 0 ? 300 : 200));

        Assert.That(results, Is.All.InstanceOf<InvalidOperationException>());
        Assert.That(((Exception)results[0]).Message, Does.StartWith("The vocabulary differs between ranks: rank 1 has other vocabulary than rank 0"));
        Assert.That(((Exception)results[1]).Message, Is.EqualTo(((Exception)results[0]).Message), "every rank stops with the same verdict");
    }

    [Test]
    public void OneRanksCancellationStopsEveryRankAtTheSameStep()
    {
        using var cancel = new CancellationTokenSource();
        var results = FitOnRanks(2, rank =>
        {
            var options = Options(batchSize: 8);
            options.Epochs = 50;
            if (rank == 1)
            {
                options.CancellationToken = cancel.Token;
                options.Progress = new SynchronousProgress(p => { if (p.Epoch == 2) cancel.Cancel(); });
            }
            return options;
        }, (_, ml) => Sms(ml, 300)).Cast<SequenceClassificationTransformer>().ToArray();

        Assert.That(results.Select(r => r.History.Cancelled), Is.All.True);
        Assert.That(results[1].History.Steps, Is.EqualTo(results[0].History.Steps));
        Assert.That(results[1].Model.ExportParameters(), Is.EqualTo(results[0].Model.ExportParameters()));
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
