namespace SeqClassify.MLNet.Training;

/// <summary>
/// Training stopped because the loss stopped being a finite number (NaN or infinity): the weights
/// have blown up, most often because the learning rate is too high. Thrown by the trainer's Fit at
/// the first such step. <see cref="Model"/> holds what is worth keeping: the model restored to the
/// best epoch so far (with validation data) or the last whole epoch, whose loss was finite; null when
/// no epoch had ended.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    internal TrainingDivergedException(int step, int epoch, int batch, double learningRate, double loss, SequenceClassificationTransformer? model)
        : base(Describe(step, epoch, batch, learningRate, loss, model))
    {
        Step = step;
        Epoch = epoch;
        LearningRate = learningRate;
        Model = model;
    }

    /// <summary>The 1-based optimisation step whose loss was not finite.</summary>
    public int Step { get; }

    /// <summary>The epoch of that step (1-based).</summary>
    public int Epoch { get; }

    /// <summary>The learning rate of that step.</summary>
    public double LearningRate { get; }

    /// <summary>The model at its best (or last) whole epoch, its history saying so; null when no epoch had ended. The caller owns it.</summary>
    public SequenceClassificationTransformer? Model { get; }

    private static string Describe(int step, int epoch, int batch, double learningRate, double loss, SequenceClassificationTransformer? model) =>
        FormattableString.Invariant($"training diverged at step {step} (epoch {epoch}, batch {batch}): the loss became {(double.IsNaN(loss) ? "NaN" : loss > 0 ? "+infinity" : "-infinity")}. ") +
        FormattableString.Invariant($"The learning rate ({learningRate:G4}) is most likely too high: try one ten times lower. ") +
        (model is null ? "No epoch had ended, so there is no model to keep." : $"The model of epoch {model.History.BestEpoch}, whose weights gave a finite loss, is kept.");
}
