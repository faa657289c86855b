using SeqClassify.Torch.Interop;

namespace SeqClassify.Torch;

/// <summary>
/// The loss and accuracy of one training step, measured before the update: over the batch, or in a
/// <see cref="ProcessGroup"/> over every rank's rows of the step together.
/// </summary>
/// <param name="Loss">Mean cross-entropy over the rows.</param>
/// <param name="Correct">Rows whose highest-scoring class was the label.</param>
/// <param name="Rows">The rows the step trained on.</param>
public readonly record struct TrainStepResult(double Loss, long Correct, long Rows);

/// <summary>
/// A sequence classifier running on SeqClassify's native engine: embedding (or feature input) → packed RNN/GRU/LSTM or
/// Transformer encoder → pooling → dropout → linear head → class scores.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Predict"/> may be called from many threads at once. Training calls
/// (<see cref="TrainStep(SequenceBatch, long[], double)"/>, <see cref="ComputeGradients(SequenceBatch, long[])"/>, <see cref="ImportParameters"/>) take an
/// exclusive lock inside the engine, so they are safe too, but they wait for running predictions
/// and block new ones.
/// </remarks>
public sealed class SequenceClassifierModel : IDisposable
{
    private readonly ModelHandle _handle;

    /// <summary>Creates a freshly initialised model (seeded by <see cref="SequenceModelOptions.Seed"/>).</summary>
    public SequenceClassifierModel(SequenceModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateArchitecture();
        options.ValidateArrays();
        Options = options.Clone();
        _handle = NativeModel.Create(Options);
        // The embedding has been initialised from it; the model does not keep the big matrix.
        Options.PretrainedEmbeddings = null;
    }

    /// <summary>The options the model was built with (without the pretrained matrix).</summary>
    public SequenceModelOptions Options { get; }

    /// <summary>
    /// The options as the native engine holds them, read back from it (the arrays, which it does not
    /// keep, are null): equal to <see cref="Options"/> option by option, which the tests check for every option.
    /// </summary>
    public SequenceModelOptions ReadEngineOptions() => NativeModel.ReadConfig(LiveHandle);

    /// <summary>Number of outputs each prediction has: classes, labels, or 1 for a regression.</summary>
    public int NumClasses => Options.NumClasses;

    /// <summary>
    /// A Transformer's position table, [MaxPositions x HiddenSize] row-major, as its forward pass adds it to the
    /// embedded steps (learned, or the fixed sinusoids): for exporters, so that the table has one definition.
    /// </summary>
    public float[] PositionTable()
    {
        if (Options.Encoder != SequenceEncoder.Transformer) throw new InvalidOperationException("An RNN has no position table.");
        var table = new float[(long)Options.MaxPositions * Options.HiddenSize];
        NativeModel.PositionTable(LiveHandle, table);
        return table;
    }

    /// <summary>Total number of parameters.</summary>
    public long ParameterCount => NativeModel.ParameterCount(LiveHandle);

    /// <summary>
    /// One optimisation step on a batch of a <see cref="SequenceTask.SingleLabel"/> model: forward,
    /// cross-entropy against <paramref name="labels"/> (class indices in [0, NumClasses)), backward,
    /// optional clipping, AdamW at <paramref name="learningRate"/>.
    /// </summary>
    public TrainStepResult TrainStep(SequenceBatch batch, long[] labels, double learningRate) =>
        TrainStep(batch, Targets(batch, labels), learningRate);

    /// <summary>
    /// One optimisation step on a batch of a <see cref="SequenceTask.MultiLabel"/> model (<paramref name="targets"/>:
    /// BatchSize x NumClasses row-major, each in [0, 1], 1 where the label applies) or a
    /// <see cref="SequenceTask.Regression"/> (BatchSize scores): forward, the task's loss, backward, clipping, AdamW.
    /// </summary>
    public TrainStepResult TrainStep(SequenceBatch batch, float[] targets, double learningRate) =>
        TrainStep(batch, Targets(batch, targets), learningRate);

    private TrainStepResult TrainStep(SequenceBatch batch, TrainingTargets targets, double learningRate)
    {
        var result = NativeModel.TrainStep(LiveHandle, batch, targets, learningRate);
        return new TrainStepResult(result.Loss, result.Correct, result.Rows);
    }

    /// <summary>
    /// One optimisation step over several micro-batches (gradient accumulation): the gradients of all
    /// their rows together, as one batch of them all would give (within rounding), while only one
    /// micro-batch's activations are held at a time; then clipping and AdamW once. In a process group the
    /// gradients are every rank's micro-batches together; a rank with no rows for the step passes none.
    /// </summary>
    public TrainStepResult TrainStepAccumulated(IReadOnlyList<SequenceBatch> batches, IReadOnlyList<long[]> labels, double learningRate) =>
        TrainStepAccumulated(batches, labels, Targets, learningRate);

    /// <summary>As the other overload, for a multi-label or regression model: one target array per batch (see <see cref="TrainStep(SequenceBatch, float[], double)"/>).</summary>
    public TrainStepResult TrainStepAccumulated(IReadOnlyList<SequenceBatch> batches, IReadOnlyList<float[]> targets, double learningRate) =>
        TrainStepAccumulated(batches, targets, Targets, learningRate);

    private TrainStepResult TrainStepAccumulated<T>(IReadOnlyList<SequenceBatch> batches, IReadOnlyList<T> targets,
        Func<SequenceBatch, T, TrainingTargets> describe, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(targets);
        if (batches.Count != targets.Count)
        {
            throw new ArgumentException($"{batches.Count} batches and {targets.Count} target arrays: give one per batch.", nameof(targets));
        }
        var described = batches.Select((batch, i) => describe(batch, targets[i])).ToArray();
        var result = NativeModel.TrainSteps(LiveHandle, batches, described, learningRate);
        return new TrainStepResult(result.Loss, result.Correct, result.Rows);
    }

    /// <summary>
    /// The step of a replica (<see cref="JoinProcessGroup"/>) that has no rows of its own for it: every
    /// rank must take part in every step, and this one adds nothing to the gradients.
    /// </summary>
    public TrainStepResult TrainStepWithoutRows(double learningRate)
    {
        var result = NativeModel.TrainStepWithoutRows(LiveHandle, learningRate);
        return new TrainStepResult(result.Loss, result.Correct, result.Rows);
    }

    /// <summary>Forward and backward without an update; the gradients are then read by <see cref="ExportGradients"/>.</summary>
    public double ComputeGradients(SequenceBatch batch, long[] labels) => NativeModel.ComputeGradients(LiveHandle, batch, Targets(batch, labels));

    /// <summary>As the other overload, for a multi-label or regression model (see <see cref="TrainStep(SequenceBatch, float[], double)"/>).</summary>
    public double ComputeGradients(SequenceBatch batch, float[] targets) => NativeModel.ComputeGradients(LiveHandle, batch, Targets(batch, targets));

    /// <summary>
    /// Scores a batch in inference mode: [BatchSize x NumClasses] row-major; with <see cref="ModelOutput.Probabilities"/>,
    /// what the task reads (class probabilities, each label's probability, or the score).
    /// </summary>
    public float[] Predict(SequenceBatch batch, ModelOutput output = ModelOutput.Probabilities)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var values = new float[batch.Outputs * NumClasses];
        NativeModel.Predict(LiveHandle, batch, output, values);
        return values;
    }

    /// <summary>
    /// Scores a batch like <see cref="Predict"/> and returns the attention pooling's weights: per row,
    /// <see cref="SequenceBatch.MaxLength"/> weights that sum to 1 over the row's valid steps (0 on
    /// padding). Only for models with <see cref="SequencePooling.Attention"/>.
    /// </summary>
    public (float[] Values, float[] AttentionWeights) PredictWithAttention(SequenceBatch batch, ModelOutput output = ModelOutput.Probabilities)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Options.Pooling != SequencePooling.Attention)
        {
            throw new InvalidOperationException($"This model pools by {Options.Pooling}, not Attention: it has no attention weights.");
        }
        var values = new float[batch.Outputs * NumClasses];
        var weights = new float[(long)batch.BatchSize * batch.MaxLength];
        NativeModel.PredictWithAttention(LiveHandle, batch, output, values, weights);
        return (values, weights);
    }

    /// <summary>
    /// Makes this model one replica of a data-parallel group: rank 0's parameters are broadcast to
    /// every rank (every rank calls this), and from then on each <see cref="TrainStep(SequenceBatch, long[], double)"/> (and
    /// <see cref="ComputeGradients(SequenceBatch, long[])"/>) reduces the gradients across the ranks before clipping and the
    /// optimizer step, so the replicas stay identical: the ranks' mean gradients weighted by their rows
    /// (by their labels' class weights, with <see cref="SequenceModelOptions.ClassWeights"/>), which is one
    /// process's gradient over all their rows. Each rank trains on its own rows; the effective batch is
    /// the ranks' batches together (the learning rate is not rescaled).
    /// </summary>
    public void JoinProcessGroup(ProcessGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        NativeStatus.ThrowIfFailed(NativeMethods.sc_model_join_process_group(LiveHandle, group.Handle));
    }

    /// <summary>A collective check (every rank calls it) that every replica holds the same parameters.</summary>
    public bool ReplicasIdentical()
    {
        NativeStatus.ThrowIfFailed(NativeMethods.sc_model_replicas_identical(LiveHandle, out int identical));
        return identical == 1;
    }

    /// <summary>The parameters as a tensor archive (see <see cref="TensorArchive"/>).</summary>
    public byte[] ExportParameters() => NativeModel.ExportParameters(LiveHandle);

    /// <summary>The gradients of the last <see cref="ComputeGradients(SequenceBatch, long[])"/> or <see cref="TrainStep(SequenceBatch, long[], double)"/>, by parameter name.</summary>
    public byte[] ExportGradients() => NativeModel.ExportGradients(LiveHandle);

    /// <summary>
    /// Replaces every parameter from a tensor archive. Names and shapes must match this model
    /// exactly; otherwise nothing changes and a <see cref="SeqClassifyException"/> names the first difference.
    /// </summary>
    public void ImportParameters(ReadOnlySpan<byte> archive) => NativeModel.ImportParameters(LiveHandle, archive);

    /// <summary>Frees the native model.</summary>
    public void Dispose() => _handle.Dispose();

    private ModelHandle LiveHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    // The engine checks the values (a label's range, a target in [0, 1], a finite score) and names the row;
    // here, what it cannot see: which kind of targets the task takes, and how many.
    private TrainingTargets Targets(SequenceBatch batch, long[] labels)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(labels);
        if (Options.Task != SequenceTask.SingleLabel)
        {
            throw new ArgumentException($"A {Options.Task} model trains on float targets (the float[] overload), not class indices.", nameof(labels));
        }
        if (labels.Length != batch.Outputs)
        {
            throw new ArgumentException($"{labels.Length} labels for a batch of {batch.Outputs} {(batch.DocumentCount > 0 ? "documents" : "rows")}.", nameof(labels));
        }
        return new TrainingTargets(labels, null);
    }

    private TrainingTargets Targets(SequenceBatch batch, float[] targets)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(targets);
        if (Options.Task == SequenceTask.SingleLabel)
        {
            throw new ArgumentException("A SingleLabel model trains on class indices (the long[] overload), not float targets.", nameof(targets));
        }
        long expected = Options.Task == SequenceTask.MultiLabel ? (long)batch.Outputs * NumClasses : batch.Outputs;
        if (targets.LongLength != expected)
        {
            throw new ArgumentException(Options.Task == SequenceTask.MultiLabel
                ? $"{targets.LongLength} targets for a batch of {batch.Outputs} rows of {NumClasses} labels: {expected} expected (row-major)."
                : $"{targets.LongLength} scores for a batch of {batch.Outputs} rows.", nameof(targets));
        }
        return new TrainingTargets(null, targets);
    }
}

/// <summary>What a batch trains towards: class indices, or a multi-label model's rows of 0/1 or a regression's scores.</summary>
internal readonly record struct TrainingTargets(long[]? Labels, float[]? Values);
