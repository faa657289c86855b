using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Onnx;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch;

[assembly: LoadableClass(typeof(SequenceClassificationTransformer), null, typeof(SignatureLoadModel),
    "SeqClassify RNN sequence classifier", SequenceClassificationTransformer.LoaderSignature)]

namespace SeqClassify.MLNet.Training;

/// <summary>
/// A trained sequence classifier (RNN, Transformer or pretrained encoder) in an ML.NET pipeline. Adds Score (class probabilities, a Vector&lt;Single&gt;
/// of known size in key order, with the class names as slot names) and PredictedLabel (a key of the
/// label's key type, with the label's KeyValues), so that ML.NET's MulticlassClassification.Evaluate,
/// CrossValidate and MapKeyToValue work on its output unchanged.
/// </summary>
/// <remarks>
/// The native model is thread-safe: prediction engines on several threads may share one transformer.
/// Saved by mlContext.Model.Save with its options, label names, weights and training history, each
/// entry checksummed; loaded by mlContext.Model.Load with no registration call.
/// </remarks>
public sealed class SequenceClassificationTransformer : RowToRowTransformerBase, ITransformer, IDisposable
{
    internal const string LoaderSignature = "SeqClassifyRnnClassifier";

    // Named floating-point literals: a history may hold NaN or infinity (a diverging epoch's
    // validation log-loss, say), and that must never stop a model from being saved.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // The network's options, read strictly: an option this SeqClassify does not know was written by a
    // newer one, and defaulting it would predict differently without a word.
    private static readonly JsonSerializerOptions NetworkJson = new(JsonOptions)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// The format this version writes. It moves with every network option added to the persisted
    /// options (Network.bin) or change of what a field means: tests/SeqClassify.MLNet.Tests/ModelFormatTests
    /// lists each format's fields and fails until a new option comes with a new format.
    /// </summary>
    internal const uint FormatVersion = 0x00010004;

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "SCRNNCLS",
        // 0x00010002: the network options may name a Transformer encoder or attention pooling, which a
        // reader of 0x00010001 would not build; 0x00010001 files (RNN only) still load: their options
        // lack the new fields, which default to the RNN. 0x00010003: Model.key's settings again in a
        // checksummed Settings.bin (older readers ignore it). 0x00010004: the network's task (Task, and
        // HuberDelta for a regression), which an older reader would take for a single-label classifier:
        // it refuses the file by its version; earlier files read as single-label classifiers, which they are.
        verWrittenCur: FormatVersion,
        verReadableCur: 0x00010004,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(SequenceClassificationTransformer).Assembly.FullName);

    internal SequenceClassificationTransformer(IHostEnvironment env, SequenceClassifierModel model, LabelClasses classes,
        SequenceClassificationOptions options, TrainingHistory history)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceClassificationTransformer)))
    {
        Model = model;
        Classes = classes;
        FeatureColumnName = options.FeatureColumnName;
        FeatureSize = options.FeatureSize;
        ScoreColumnName = options.ScoreColumnName;
        PredictedLabelColumnName = options.PredictedLabelColumnName;
        MaximumLength = options.SequenceLimit;
        History = history;
    }

    private SequenceClassificationTransformer(IHostEnvironment env, ModelLoadContext ctx)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceClassificationTransformer)))
    {
        ModelPayload.CheckVersion(ctx, GetVersionInfo(), LoaderSignature);
        var reader = ctx.Reader;
        FeatureColumnName = reader.ReadString();
        FeatureSize = reader.ReadInt32();
        ScoreColumnName = reader.ReadString();
        PredictedLabelColumnName = reader.ReadString();
        MaximumLength = reader.ReadInt32();
        bool windowed = ctx.Header.ModelVerWritten >= WindowsVersion;
        if (windowed)
        {
            int length = reader.ReadInt32(), stride = reader.ReadInt32();
            bool keepEnds = reader.ReadBoolean();
            if (length < 0 || stride < 0 || (stride > 0) != (length > 0) || stride > length)
            {
                throw ModelPayload.Refuse(LoaderSignature, "Model.key", $"its windows ({length} ids every {stride}) are not windows");
            }
            Windows = length > 0 ? new Windows(length, stride, keepEnds) : null;
        }
        ModelPayload.CheckSettings(ctx, LoaderSignature, ctx.Header.ModelVerWritten >= SettingsVersion, Settings(windowed));
        var options = ModelPayload.Read(ctx, "Network", LoaderSignature, r => ReadNetwork(ctx, r.ReadString()));
        Classes = ModelPayload.Read(ctx, "Labels", LoaderSignature, LabelClasses.Read);
        // A regression's one output is its score: it names no class.
        int named = options.Task == SequenceTask.Regression ? 0 : options.NumClasses;
        if (Classes.Count != named)
        {
            throw ModelPayload.Refuse(LoaderSignature, "Labels.bin", $"it names {Classes.Count} classes for a network of {options.NumClasses} outputs ({options.Task})");
        }
        Thresholds = options.Task == SequenceTask.MultiLabel
            ? ModelPayload.Read(ctx, "Thresholds", LoaderSignature, r => ReadThresholds(r, options.NumClasses))
            : [];
        History = ModelPayload.Read(ctx, "History", LoaderSignature,
            r => JsonSerializer.Deserialize<TrainingHistory>(r.ReadString(), JsonOptions) ?? new TrainingHistory());
        byte[] weights = ModelPayload.ReadBytes(ctx, "Weights", LoaderSignature);
        // The declared network is allocated only if the weights can fill it (HiddenSize 16000 in an
        // 870 KB file once took 11.9 GB before a refusal).
        long declared = options.MinimumParameterCount();
        if (declared > weights.LongLength / sizeof(float))
        {
            throw ModelPayload.Refuse(LoaderSignature, "Network.bin",
                $"it declares a network of at least {declared:N0} parameters (HiddenSize {options.HiddenSize}, InputSize {options.InputSize}, " +
                $"NumLayers {options.NumLayers}, VocabularySize {options.VocabularySize}), but Weights.bin holds {weights.LongLength:N0} bytes");
        }
        try
        {
            options.ValidateArchitecture();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw ModelPayload.Refuse(LoaderSignature, "Network.bin", e.Message.Split(" (Parameter")[0], e);
        }
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

    /// <summary>
    /// Options earlier formats wrote that no longer exist, and why dropping them changes no prediction.
    /// Every other option the reader does not know is refused.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> RetiredOptions = new Dictionary<string, string>
    {
        ["UseLibtorchRnn"] = "format 0x00010001: chose libtorch's RNN modules, which the engine's own matched to 1e-5; libtorch is gone",
    };

    private static SequenceModelOptions ReadNetwork(ModelLoadContext ctx, string json)
    {
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(json) as System.Text.Json.Nodes.JsonObject
                ?? throw ModelPayload.Refuse(LoaderSignature, "Network.bin", "it holds no network options");
            foreach (string retired in RetiredOptions.Keys) node.Remove(retired);
            return node.Deserialize<SequenceModelOptions>(NetworkJson)
                ?? throw ModelPayload.Refuse(LoaderSignature, "Network.bin", "it holds no network options");
        }
        catch (JsonException e) when (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            throw ModelPayload.Refuse(LoaderSignature, "Network.bin",
                $"it sets an option this SeqClassify ({typeof(SequenceClassificationTransformer).Assembly.GetName().Version}) does not know ({e.Path}); " +
                $"the model was written by {ModelPayload.Writer(ctx)}: load it with that version or a newer one", e);
        }
        catch (JsonException e)
        {
            throw ModelPayload.Refuse(LoaderSignature, "Network.bin", $"its options cannot be read ({e.Message})", e);
        }
    }

    // A multi-label model's thresholds: as many as its labels, each in (0, 1].
    private static float[] ReadThresholds(BinaryReader reader, int labels)
    {
        int count = reader.ReadInt32();
        if (count != labels) throw ModelPayload.Refuse(LoaderSignature, "Thresholds.bin", $"it holds {count} thresholds for {labels} labels");
        var thresholds = new float[count];
        for (int i = 0; i < count; i++)
        {
            thresholds[i] = reader.ReadSingle();
            if (!(thresholds[i] > 0 && thresholds[i] <= 1)) throw ModelPayload.Refuse(LoaderSignature, "Thresholds.bin", $"threshold {i} is {thresholds[i]}, not in (0, 1]");
        }
        return thresholds;
    }

    internal SequenceClassifierModel Model { get; }

    /// <summary>
    /// A multi-label model's decision thresholds, one per label in <see cref="LabelNames"/> order: a label is
    /// predicted where its probability is at least its threshold (SequenceClassificationOptions.DecisionThreshold
    /// says how they are chosen). Empty for the other tasks.
    /// </summary>
    public IReadOnlyList<float> Thresholds { get; internal set; } = [];

    internal LabelClasses Classes { get; }

    /// <summary>Class names in key order (Score[i] is the probability of LabelNames[i]); none for a regression.</summary>
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

    /// <summary>
    /// The output column a model pooled by <see cref="SequencePooling.Attention"/> adds beside the
    /// scores: per row, one weight per step of its (truncated) sequence, summing to 1. Computed only
    /// when read (a separate pass per row), so scoring alone costs nothing more.
    /// </summary>
    public const string AttentionWeightsColumnName = "AttentionWeights";

    /// <summary>Whether <see cref="AttentionWeightsColumnName"/> is among the outputs.</summary>
    public bool HasAttentionWeights => Model.Options.Pooling == SequencePooling.Attention;

    /// <summary>Number of trainable and frozen parameters of the network.</summary>
    public long ParameterCount => Model.ParameterCount;

    /// <summary>Per-epoch training history.</summary>
    public TrainingHistory History { get; }

    // As the PyTorch reference predicts. In inference the fused layer gathers each step's input
    // projections from a per-token table, so a batch's buffers stay small.
    internal const int PredictionBatchSize = 256;

    // Rows a cursor reads ahead and scores together: sorted by length into batches of
    // PredictionBatchSize, so that a batch pads to similar lengths (one long text would otherwise
    // set the padded length of 255 short ones).
    private const int LookAheadRows = 8 * PredictionBatchSize;

    /// <summary>
    /// Padded tokens (rows x the longest row) one prediction batch holds at most; a batch over it is
    /// split, longest rows first. The engine's memory for a batch grows with it (about 2.5 KB per
    /// token with the default model), so a server scoring several requests at once lowers it to bound
    /// its memory (seqclassify serve: --batch-tokens); the default suits scoring a data set. Predictions
    /// do not depend on it. Not saved with the model: set it on the loaded model, before scoring.
    /// </summary>
    public int PredictionBatchTokens
    {
        get => _predictionBatchTokens;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(PredictionBatchTokens), value, "PredictionBatchTokens must be at least 1.");
            _predictionBatchTokens = value;
        }
    }

    private int _predictionBatchTokens = BatchPlanner.DefaultTokenBudget;

    /// <summary>What the task reads for every example, [count x outputs] row-major, in the examples' order: probabilities, or scores.</summary>
    internal float[] PredictProbabilities(Examples examples)
    {
        examples = examples.WithWindows(Windows);
        int classes = Model.NumClasses;
        var all = new float[examples.Count * classes];
        // Length-sorted batches pad least; results go back to each row's own place.
        foreach (var rows in BatchPlanner.InLengthOrder(examples, PredictionBatchSize, PredictionBatchTokens))
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
    /// Class probabilities (a regression: its score) for every row of <paramref name="data"/>, in order, scored
    /// in batches of 256 (one native call each): the fast path for scoring a whole data set.
    /// </summary>
    public float[][] Score(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeature(data.Schema);
        var examples = Examples.Read(data, FeatureColumnName, FeatureSize, null, MaximumLength);
        var flat = PredictProbabilities(examples);
        return flat.Chunk(Model.NumClasses).ToArray();
    }

    private DataViewSchema.Column CheckFeature(DataViewSchema schema) => FeatureColumn.Require(schema, FeatureColumnName, FeatureSize);

    /// <inheritdoc />
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema, source: null);

    /// <summary>
    /// Adds Score and PredictedLabel to <paramref name="input"/>, lazily, as ML.NET's transformers do;
    /// a cursor over the result scores its rows many at a time (batches of 256 rows of similar length,
    /// one native call each), reading ahead on a cursor of its own over <paramref name="input"/>.
    /// PredictionEngine scores one row at a time.
    /// </summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        return new SingleCursorMappedDataView(input, new Mapper(this, input.Schema, input));
    }

    // ML.NET's chains call Transform through the interface: re-implemented so that they batch too.
    IDataView ITransformer.Transform(IDataView input) => Transform(input);

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
        writer.Write(Windows?.Length ?? 0);
        writer.Write(Windows?.Stride ?? 0);
        writer.Write(Windows?.KeepEnds ?? false);
        // The whole options object, so that an option added to the network is saved with no change here;
        // the pretrained matrix is already in the weights.
        var network = Model.Options.Clone();
        network.PretrainedEmbeddings = null;
        ModelPayload.Write(ctx, "Network", w => w.Write(JsonSerializer.Serialize(network, JsonOptions)));
        ModelPayload.Write(ctx, "Labels", Classes.Write);
        if (Model.Options.Task == SequenceTask.MultiLabel)
        {
            ModelPayload.Write(ctx, "Thresholds", w =>
            {
                w.Write(Thresholds.Count);
                foreach (float t in Thresholds) w.Write(t);
            });
        }
        ModelPayload.Write(ctx, "History", w => w.Write(JsonSerializer.Serialize(History, JsonOptions)));
        ModelPayload.Write(ctx, "Weights", w => w.Write(Model.ExportParameters()));
        ModelPayload.WriteSettings(ctx, Settings(withWindows: true));
    }

    // The first version whose Model.key settings have a checksummed copy.
    private const uint SettingsVersion = 0x00010003;

    // The first whose Model.key says how long texts are read in windows.
    private const uint WindowsVersion = 0x00010004;

    private object?[] Settings(bool withWindows) => withWindows
        ? [FeatureColumnName, FeatureSize, ScoreColumnName, PredictedLabelColumnName, MaximumLength, Windows?.Length ?? 0, Windows?.Stride ?? 0, Windows?.KeepEnds ?? false]
        : [FeatureColumnName, FeatureSize, ScoreColumnName, PredictedLabelColumnName, MaximumLength];

    /// <summary>How a long text is read (SequenceClassificationOptions.WindowStride): in windows, or (null) cut to <see cref="MaximumLength"/>.</summary>
    internal Windows? Windows { get; init; }

    /// <summary>Frees the native model.</summary>
    public void Dispose() => Model.Dispose();

    /// <param name="parent">The transformer.</param>
    /// <param name="schema">The input schema.</param>
    /// <param name="source">The input view, when known: cursors then score ahead in batches over it.</param>
    private sealed class Mapper(SequenceClassificationTransformer parent, DataViewSchema schema, IDataView? source)
        : MapperBase(parent.Host, schema, parent), ISaveAsOnnx
    {
        private readonly DataViewSchema.Column _feature = parent.CheckFeature(schema);

        private bool Regression => parent.ModelOptions.Task == SequenceTask.Regression;

        private bool MultiLabel => parent.ModelOptions.Task == SequenceTask.MultiLabel;

        // Score (and PredictedLabel but for a regression), then AttentionWeights with attention pooling.
        private int AttentionIndex => Regression ? 1 : 2;

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var attention = new DataViewSchema.DetachedColumn(AttentionWeightsColumnName, new VectorDataViewType(NumberDataViewType.Single));
            if (Regression)
            {
                // As ML.NET's regression scorers: one Single score.
                var scoreOnly = new DataViewSchema.Annotations.Builder();
                scoreOnly.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
                    (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.Regression.AsMemory());
                scoreOnly.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance,
                    (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreValueKind.Score.AsMemory());
                var scoreColumn = new DataViewSchema.DetachedColumn(parent.ScoreColumnName, NumberDataViewType.Single, scoreOnly.ToAnnotations());
                return parent.HasAttentionWeights ? [scoreColumn, attention] : [scoreColumn];
            }
            var classes = parent.Classes;
            var score = new DataViewSchema.Annotations.Builder();
            classes.AddSlotNames(score);
            score.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
            score.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreValueKind.Score.AsMemory());
            var predicted = new DataViewSchema.Annotations.Builder();
            classes.AddKeyValues(predicted);
            // A multi-label model predicts a set: the keys of the labels at or above their thresholds, any number.
            DataViewType predictedType = MultiLabel ? new VectorDataViewType(new KeyDataViewType(typeof(uint), classes.Count)) : new KeyDataViewType(typeof(uint), classes.Count);
            DataViewSchema.DetachedColumn[] columns =
            [
                new DataViewSchema.DetachedColumn(parent.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes.Count), score.ToAnnotations()),
                new DataViewSchema.DetachedColumn(parent.PredictedLabelColumnName, predictedType, predicted.ToAnnotations()),
            ];
            return parent.HasAttentionWeights ? [.. columns, attention] : columns;
        }

        /// <summary>
        /// Score and PredictedLabel read one <see cref="RowScores"/>: the network runs once per row. A cursor
        /// that reads neither (only the input's columns) makes none: its row has no feature to read.
        /// </summary>
        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
        {
            int attentionIndex = AttentionIndex;
            bool scored = activeOutput(0) || (!Regression && activeOutput(1));
            var scores = scored ? new RowScores(parent, input, _feature, source) : null;
            disposer = scores is null ? null : scores.Dispose;
            var getters = new Delegate[attentionIndex + (parent.HasAttentionWeights ? 1 : 0)];
            if (parent.HasAttentionWeights && activeOutput(attentionIndex))
            {
                var reader = SequenceReader.Create(input, _feature, parent.FeatureSize, parent.MaximumLength);
                getters[attentionIndex] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var row = Examples.Unlabeled([parent.FeatureSize > 0 ? reader.ReadFeatures() : reader.ReadIds()], parent.FeatureSize);
                    float[] weights = parent.Model.PredictWithAttention(row.Batch([0])).AttentionWeights;
                    var editor = VBufferEditor.Create(ref value, weights.Length);
                    weights.CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            if (Regression && activeOutput(0))
            {
                getters[0] = (ValueGetter<float>)((ref float value) => value = scores!.Current()[0]);
            }
            else if (activeOutput(0))
            {
                getters[0] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var p = scores!.Current();
                    var editor = VBufferEditor.Create(ref value, p.Length);
                    p.CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            if (MultiLabel && activeOutput(1))
            {
                var thresholds = parent.Thresholds;
                getters[1] = (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> value) =>
                {
                    var p = scores!.Current();
                    var keys = Enumerable.Range(0, p.Length).Where(i => p[i] >= thresholds[i]).Select(i => (uint)i + 1).ToArray();
                    var editor = VBufferEditor.Create(ref value, keys.Length);
                    keys.CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            else if (!Regression && activeOutput(1))
            {
                getters[1] = (ValueGetter<uint>)((ref uint value) =>
                {
                    var p = scores!.Current();
                    value = (uint)p.AsSpan().IndexOf(p.Max()) + 1;
                });
            }
            return getters;
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer) =>
            CreateGetters(input, column => column == iinfo, out disposer)[iinfo];

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) =>
            column => column == _feature.Index && Enumerable.Range(0, AttentionIndex + (parent.HasAttentionWeights ? 1 : 0)).Any(activeOutput);

        public override void SaveModel(ModelSaveContext ctx) => parent.SaveModel(ctx);

        public bool CanSaveOnnx(OnnxContext ctx)
        {
            ctx.CheckOpSetVersion(OnnxGraph.OpSet, nameof(SequenceClassificationTransformer));
            if (parent.Windows is not null) throw new NotSupportedException(ClassifierOnnxExport.NoWindows);
            // A set of keys of any length has no column form in ML.NET's ONNX export.
            if (MultiLabel)
            {
                throw new NotSupportedException("A multi-label model's PredictedLabel is a set of any size, which ML.NET's ONNX pipelines cannot hold: " +
                    "export the network alone (ExportNetworkToOnnx: per-label probabilities, the thresholds in its metadata).");
            }
            return true;
        }

        public void SaveAsOnnx(OnnxContext ctx) => ClassifierOnnxExport.SaveInPipeline(parent, ctx, OutputColumns.Value);
    }

    /// <summary>
    /// The class probabilities of the rows one cursor visits. With the input view at hand, the rows
    /// from the current one on are read on a look-ahead cursor of this object's own and scored many at
    /// a time (<see cref="LookAheadRows"/> rows sorted by length into batches of <see cref="PredictionBatchSize"/>).
    /// A score is used only for the very row it was computed for (same row id); when the
    /// look-ahead cannot be on the cursor's row, each row is scored alone, as without a view.
    /// </summary>
    private sealed class RowScores(SequenceClassificationTransformer parent, DataViewRow row, DataViewSchema.Column feature, IDataView? source) : IDisposable
    {
        private readonly SequenceReader _reader = SequenceReader.Create(row, feature, parent.FeatureSize, parent.MaximumLength);
        private readonly Dictionary<long, (DataViewRowId Id, float[] Probabilities)> _batch = [];
        private readonly ValueGetter<DataViewRowId> _rowId = row.GetIdGetter();
        private DataViewRowCursor? _ahead;
        private SequenceReader? _aheadReader;
        private bool _aheadUnusable = source is null;
        private long _position = -1;
        private float[] _current = [];

        public float[] Current()
        {
            if (row.Position != _position)
            {
                _position = row.Position;
                _current = Scored() ?? (ScoreAhead() ? Scored() : null)
                    ?? parent.PredictProbabilities(Examples.Unlabeled([parent.FeatureSize > 0 ? _reader.ReadFeatures() : _reader.ReadIds()], parent.FeatureSize));
            }
            return _current;
        }

        /// <summary>The current row's probabilities from the last batch, if it holds this very row.</summary>
        private float[]? Scored()
        {
            if (!_batch.TryGetValue(_position, out var scored)) return null;
            DataViewRowId id = default;
            _rowId(ref id);
            if (id.Equals(scored.Id)) return scored.Probabilities;
            _aheadUnusable = true;
            _batch.Clear();
            return null;
        }

        /// <summary>Scores the next rows from the current one, if the look-ahead cursor can reach it.</summary>
        private bool ScoreAhead()
        {
            if (_aheadUnusable) return false;
            if (_ahead is null)
            {
                _ahead = source!.GetRowCursor([source.Schema[feature.Name]]);
                _aheadReader = SequenceReader.Create(_ahead, _ahead.Schema[feature.Name], parent.FeatureSize, parent.MaximumLength);
            }
            while (_ahead.Position < _position && _ahead.MoveNext())
            {
            }
            if (_ahead.Position != _position)
            {
                _aheadUnusable = true;
                return false;
            }
            var aheadId = _ahead.GetIdGetter();
            var sequences = new List<object>(LookAheadRows);
            var ids = new List<DataViewRowId>(LookAheadRows);
            long first = _position;
            do
            {
                DataViewRowId id = default;
                aheadId(ref id);
                ids.Add(id);
                sequences.Add(parent.FeatureSize > 0 ? _aheadReader!.ReadFeatures() : _aheadReader!.ReadIds());
            }
            while (sequences.Count < LookAheadRows && _ahead.MoveNext());
            var probabilities = parent.PredictProbabilities(Examples.Unlabeled(sequences, parent.FeatureSize));
            int classes = parent.Model.NumClasses;
            _batch.Clear();
            for (int i = 0; i < sequences.Count; i++)
            {
                _batch[first + i] = (ids[i], probabilities.AsSpan(i * classes, classes).ToArray());
            }
            return true;
        }

        public void Dispose() => _ahead?.Dispose();
    }
}
