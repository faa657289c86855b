using System.Diagnostics;
using System.Globalization;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;
using Spectre.Console;

namespace SeqClassify.Cli.Output;

/// <summary>
/// Shows training progress: in a terminal, an epoch bar and a batch bar (rows/s, loss, ETA) redrawn
/// in place; elsewhere, plain lines: one per epoch, and a batch line at most every 10 seconds.
/// </summary>
internal sealed class TrainingProgressDisplay(CliConsole console, SequenceTask task = SequenceTask.SingleLabel)
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="train"/>, handing it the progress sink to report to.</summary>
    public T Run<T>(Func<IProgress<TrainingProgress>, T> train)
    {
        if (!console.Interactive)
        {
            var clock = Stopwatch.StartNew();
            var last = TimeSpan.Zero;
            return train(new Sink(p =>
            {
                if (p.EpochCompleted is { } e)
                {
                    console.Out.WriteLine(EpochLine(e, p.Epochs, task));
                }
                else if (clock.Elapsed - last >= PlainInterval)
                {
                    last = clock.Elapsed;
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches}: {p.RowsPerSecond:F0} rows/s, loss {p.Loss:F4}, ETA {Eta(p.EtaSeconds)}"));
                }
            }));
        }
        return console.Ansi.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var epochs = context.AddTask("epochs");
                var batches = context.AddTask("batches");
                return train(new Sink(p =>
                {
                    epochs.MaxValue = p.Epochs;
                    batches.MaxValue = p.Batches;
                    if (p.EpochCompleted is { } e)
                    {
                        epochs.Value = p.Epoch;
                        console.Ansi.MarkupLine(Markup.Escape(EpochLine(e, p.Epochs, task)));
                        return;
                    }
                    epochs.Value = p.Epoch - 1;
                    batches.Value = p.Batch;
                    epochs.Description = $"epoch {p.Epoch}/{p.Epochs}  ETA {Eta(p.EtaSeconds)}";
                    batches.Description = string.Create(CultureInfo.InvariantCulture,
                        $"batch {p.Batch}/{p.Batches}  {p.RowsPerSecond:F0} rows/s  loss {p.Loss:F4}");
                }));
            });
    }

    /// <summary>
    /// One epoch's line, by task: a regression has no accuracy (its validation figures are RMSE and Pearson's r); a
    /// multi-label model's is the rows whose whole set was right, and its validation figures macro- and micro-F1.
    /// </summary>
    public static string EpochLine(EpochSummary e, int epochs, SequenceTask task = SequenceTask.SingleLabel)
    {
        string validation = e.ValidationAccuracy is double va
            ? string.Create(CultureInfo.InvariantCulture, $", validation accuracy {va:P2}, log-loss {e.ValidationLogLoss:F4}, macro-F1 {e.ValidationMacroF1:F4}")
            : e.ValidationRmse is double rmse ? string.Create(CultureInfo.InvariantCulture, $", validation RMSE {rmse:F4}, Pearson {e.ValidationPearson:F4}")
            : e.ValidationMicroF1 is double micro ? string.Create(CultureInfo.InvariantCulture, $", validation macro-F1 {e.ValidationMacroF1:F4}, micro-F1 {micro:F4}")
            : "";
        string train = task switch
        {
            SequenceTask.Regression => "",
            SequenceTask.MultiLabel => string.Create(CultureInfo.InvariantCulture, $", train exact sets {e.TrainAccuracy:P2}"),
            _ => string.Create(CultureInfo.InvariantCulture, $", train accuracy {e.TrainAccuracy:P2}"),
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {e.Epoch}/{epochs}: loss {e.TrainLoss:F4}{train}{validation} ({e.Seconds:F1} s)");
    }

    private static string Eta(double seconds) => TimeSpan.FromSeconds(Math.Max(0, seconds)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    // Reports synchronously on the training thread, so that lines appear in order.
    private sealed class Sink(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
