using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

[assembly: LoadableClass(typeof(SequenceClassificationTransformer), null, typeof(SignatureLoadModel),
    "SeqClassify RNN sequence classifier", SequenceClassificationTransformer.LoaderSignature)]

namespace SeqClassify.MLNet.Training;

/// <summary>
/// A trained RNN classifier in an ML.NET pipeline. Adds Score (class probabilities, a Vector&lt;Single&gt;
/// of known size in key order, with the class names as slot names) and PredictedLabel (a key of the
/// label's key type, with the label's KeyValues), so that ML.NET's MulticlassClassification.Evaluate,
/// CrossValidate and MapKeyToValue work on its output unchanged.
/// </summary>
/// <remarks>
/// The native model is thread-safe: prediction engines on several threads may share one transformer.
/// Saved by mlContext.Model.Save with its options, label names, weights and training history, each
/// entry checksummed; loaded by mlContext.Model.Load with no registration call.
/// </remarks>
public sealed class SequenceClassificationTransformer : RowToRowTransformerBase, IDisposable
{
    internal const string LoaderSignature = "SeqClassifyRnnClassifier";

    private static readonly JsonSerializerOptions JsonOptions = new() { Converters = { new JsonStringEnumConverter() } };

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "SCRNNCLS",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(SequenceClassificationTransformer).Assembly.FullName);

    internal SequenceClassificationTransformer(IHostEnvironment env, SequenceClassifierModel model, LabelClasses classes,
        RnnTrainerOptions options, TrainingHistory history)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceClassificationTransformer)))
    {
        Model = model;
        Classes = classes;
        FeatureColumnName = options.FeatureColumnName;
        FeatureSize = options.FeatureSize;
        ScoreColumnName = options.ScoreColumnName;
        PredictedLabelColumnName = options.PredictedLabelColumnName;
        MaximumLength = options.MaximumTrainingLength;
        History = history;
    }

    private SequenceClassificationTransformer(IHostEnvironment env, ModelLoadContext ctx)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceClassificationTransformer)))
    {
        ctx.CheckAtModel(GetVersionInfo());
        var reader = ctx.Reader;
        FeatureColumnName = reader.ReadString();
        FeatureSize = reader.ReadInt32();
        ScoreColumnName = reader.ReadString();
        PredictedLabelColumnName = reader.ReadString();
        MaximumLength = reader.ReadInt32();
        var options = ModelPayload.Read(ctx, "Network", LoaderSignature,
            r => JsonSerializer.Deserialize<SequenceModelOptions>(r.ReadString(), JsonOptions)
                ?? throw ModelPayload.Refuse(LoaderSignature, "Network.bin", "it holds no network options"));
        Classes = ModelPayload.Read(ctx, "Labels", LoaderSignature, LabelClasses.Read);
        if (Classes.Count != options.NumClasses)
        {
            throw ModelPayload.Refuse(LoaderSignature, "Labels.bin", $"it names {Classes.Count} classes for a network of {options.NumClasses}");
        }
        History = ModelPayload.Read(ctx, "History", LoaderSignature,
            r => JsonSerializer.Deserialize<TrainingHistory>(r.ReadString(), JsonOptions) ?? new TrainingHistory());
        byte[] weights = ModelPayload.ReadBytes(ctx, "Weights", LoaderSignature);
        Model = new SequenceClassifierModel(options);
        try
        {
            Model.ImportParameters(weights);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or SeqClassifyException)
        {
            Model.Dispose();
            throw ModelPayload.Refuse(LoaderSignature, "Weights.bin", e.Message, e);
        }
    }

    internal SequenceClassifierModel Model { get; }

    internal LabelClasses Classes { get; }

    /// <summary>Class names in key order (Score[i] is the probability of LabelNames[i]).</summary>
    public IReadOnlyList<string> LabelNames => Classes.Names;

    /// <summary>The input column (token ids or flattened feature steps).</summary>
    public string FeatureColumnName { get; }

    /// <summary>Values per step of a feature-sequence input; 0 for token ids.</summary>
    public int FeatureSize { get; }

    /// <summary>The probabilities column.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted key column.</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>Sequences are truncated to this many steps before scoring; 0 = no limit.</summary>
    public int MaximumLength { get; }

    /// <summary>The architecture of the network.</summary>
    public SequenceModelOptions ModelOptions => Model.Options;

    /// <summary>Number of trainable and frozen parameters of the network.</summary>
    public long ParameterCount => Model.ParameterCount;

    /// <summary>Per-epoch training history.</summary>
    public TrainingHistory History { get; }

    // As the PyTorch reference predicts. In inference the fused layer gathers each step's input
    // projections from a per-token table, so a batch's buffers stay small.
    internal const int PredictionBatchSize = 256;

    /// <summary>Probabilities for every example, [count x classes] row-major, in the examples' order.</summary>
    internal float[] PredictProbabilities(Examples examples)
    {
        int classes = Classes.Count;
        var all = new float[examples.Count * classes];
        // Length-sorted batches pad least; results go back to each row's own place.
        foreach (var rows in BatchPlanner.InLengthOrder(examples, PredictionBatchSize))
        {
            float[] probabilities = Model.Predict(examples.Batch(rows));
            for (int i = 0; i < rows.Length; i++)
            {
                Array.Copy(probabilities, i * classes, all, rows[i] * classes, classes);
            }
        }
        return all;
    }

    /// <summary>
    /// Class probabilities for every row of <paramref name="data"/>, in order, scored in batches of
    /// 256 (one native call each): the fast path for scoring a whole data set.
    /// </summary>
    public float[][] Score(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeature(data.Schema);
        var examples = Examples.Read(data, FeatureColumnName, FeatureSize, null, MaximumLength);
        var flat = PredictProbabilities(examples);
        return flat.Chunk(Classes.Count).ToArray();
    }

    private DataViewSchema.Column CheckFeature(DataViewSchema schema) => FeatureColumn.Require(schema, FeatureColumnName, FeatureSize);

    /// <inheritdoc />
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <inheritdoc />
    public override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        var writer = ctx.Writer;
        writer.Write(FeatureColumnName);
        writer.Write(FeatureSize);
        writer.Write(ScoreColumnName);
        writer.Write(PredictedLabelColumnName);
        writer.Write(MaximumLength);
        // The whole options object, so that an option added to the network is saved with no change here;
        // the pretrained matrix is already in the weights.
        var network = Model.Options.Clone();
        network.PretrainedEmbeddings = null;
        ModelPayload.Write(ctx, "Network", w => w.Write(JsonSerializer.Serialize(network, JsonOptions)));
        ModelPayload.Write(ctx, "Labels", Classes.Write);
        ModelPayload.Write(ctx, "History", w => w.Write(JsonSerializer.Serialize(History, JsonOptions)));
        ModelPayload.Write(ctx, "Weights", w => w.Write(Model.ExportParameters()));
    }

    /// <summary>Frees the native model.</summary>
    public void Dispose() => Model.Dispose();

    private sealed class Mapper(SequenceClassificationTransformer parent, DataViewSchema schema) : MapperBase(parent.Host, schema, parent)
    {
        private readonly DataViewSchema.Column _feature = parent.CheckFeature(schema);

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var classes = parent.Classes;
            var score = new DataViewSchema.Annotations.Builder();
            classes.AddSlotNames(score);
            score.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
            score.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreValueKind.Score.AsMemory());
            var predicted = new DataViewSchema.Annotations.Builder();
            classes.AddKeyValues(predicted);
            return
            [
                new DataViewSchema.DetachedColumn(parent.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes.Count), score.ToAnnotations()),
                new DataViewSchema.DetachedColumn(parent.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classes.Count), predicted.ToAnnotations()),
            ];
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var reader = SequenceReader.Create(input, _feature, parent.FeatureSize, parent.MaximumLength);
            long position = -1;
            float[] probabilities = [];
            // Score and PredictedLabel read the same row: run the network once per row.
            float[] Current()
            {
                if (position != input.Position)
                {
                    var batch = parent.FeatureSize > 0
                        ? SequenceBatch.FromFlatFeatures([reader.ReadFeatures()], parent.FeatureSize)
                        : SequenceBatch.FromTokenIds([reader.ReadIds()]);
                    probabilities = parent.Model.Predict(batch);
                    position = input.Position;
                }
                return probabilities;
            }
            if (iinfo == 0)
            {
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var p = Current();
                    var editor = VBufferEditor.Create(ref value, p.Length);
                    p.CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            return (ValueGetter<uint>)((ref uint value) =>
            {
                var p = Current();
                value = (uint)p.AsSpan().IndexOf(p.Max()) + 1;
            });
        }

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) =>
            column => column == _feature.Index && (activeOutput(0) || activeOutput(1));

        public override void SaveModel(ModelSaveContext ctx) => parent.SaveModel(ctx);
    }
}
