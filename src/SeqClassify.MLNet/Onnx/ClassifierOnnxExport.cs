using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using SeqClassify.MLNet.Training;
using static Microsoft.ML.Model.OnnxConverter.OnnxCSharpToProtoWrapper;

namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// A trained <see cref="SequenceClassificationTransformer"/> as ONNX, two ways: inside a pipeline that
/// mlContext.Model.ConvertToOnnx converts (its columns in, Score and PredictedLabel out, as ML.NET's
/// own multiclass scorers export them), and alone (<see cref="ExportNetworkToOnnx"/>): padded ids or
/// feature steps and each row's length in, class probabilities out.
/// </summary>
public static class ClassifierOnnxExport
{
    /// <summary>The opset of the standalone export, the one the exported operators need (pipelines ask ConvertToOnnx for it, its default).</summary>
    public const int OpSetVersion = OnnxGraph.OpSet;

    // The graph reads one sequence per row; a model that pools windows of a long text has no graph yet.
    internal const string NoWindows = "A model that reads long texts in windows (WindowStride) does not export to ONNX yet: its graph would read one window per row.";

    /// <summary>Names of the standalone graph's inputs and outputs.</summary>
    public const string IdsInput = "ids", FeaturesInput = "features", LengthsInput = "lengths",
        ProbabilitiesOutput = "probabilities", ScoresOutput = "scores", AttentionWeightsOutput = "attention_weights";

    /// <summary>
    /// Writes the trained network as an ONNX model (opset 12) to <paramref name="stream"/>. Inputs:
    /// "ids" [batch, sequence] int64 (a model with a vocabulary) or "features" [batch, sequence,
    /// FeatureSize] float, and "lengths" [batch] int64 (each row's steps, 1 to sequence; steps past it are
    /// ignored). Outputs: "probabilities" [batch, classes] in <see cref="SequenceClassificationTransformer.LabelNames"/>
    /// order (also in the model's metadata, "labels"), or for a regression "scores" [batch, 1], and with
    /// attention pooling "attention_weights" [batch, sequence]. Rows longer than the model's MaximumLength are
    /// cut to it, as the model does.
    /// </summary>
    public static void ExportNetworkToOnnx(this SequenceClassificationTransformer classifier, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(stream);
        if (classifier.Windows is not null) throw new NotSupportedException(NoWindows);
        var env = new MLContext();
        var ctx = new OnnxContextImpl(env, "SeqClassify", "SeqClassify", typeof(ClassifierOnnxExport).Assembly.GetName().Version?.ToString() ?? "0",
            0, "ai.seqclassify", OnnxVersion.Stable, OpSetVersion);
        bool tokens = classifier.FeatureSize == 0;
        string inputName = tokens ? IdsInput : FeaturesInput;
        ctx.AddInputVariable(new VectorDataViewType(tokens ? NumberDataViewType.Int64 : NumberDataViewType.Single), inputName);
        ctx.AddInputVariable(NumberDataViewType.Int64, LengthsInput);
        var g = new OnnxGraph(ctx, "SeqClassify");
        string input = ctx.GetVariableName(inputName);
        if (!tokens) input = g.Reshape(input, 0, 0, classifier.FeatureSize);
        var (kept, lengths) = SequenceInputs.Truncate(g, input, ctx.GetVariableName(LengthsInput), classifier.MaximumLength);
        var outputs = ClassifierGraph.Build(g, classifier.Model, kept, lengths);
        bool regression = classifier.ModelOptions.Task == SeqClassify.Torch.SequenceTask.Regression;
        string outputName = regression ? ScoresOutput : ProbabilitiesOutput;
        Output(ctx, g, outputs.Probabilities, outputName, NumberDataViewType.Single);
        if (outputs.AttentionWeights is { } weights) Output(ctx, g, weights, AttentionWeightsOutput, NumberDataViewType.Single);

        var model = ctx.MakeModel();
        // ML.NET declares every input as [batch, width] (a vector column); these are [batch, sequence(, features)] and [batch].
        Shape(model.Graph.Input, inputName, tokens ? ["batch", "sequence"] : ["batch", "sequence", classifier.FeatureSize]);
        Shape(model.Graph.Input, LengthsInput, ["batch"]);
        Shape(model.Graph.Output, outputName, ["batch", classifier.Model.NumClasses]);
        if (outputs.AttentionWeights is not null) Shape(model.Graph.Output, AttentionWeightsOutput, ["batch", "sequence"]);
        model.MetadataProps.Add(new StringStringEntryProto { Key = "labels", Value = JsonSerializer.Serialize(classifier.LabelNames) });
        // A multi-label model's probabilities are one sigmoid each; a label is predicted at or above its threshold.
        if (classifier.Thresholds.Count > 0) model.MetadataProps.Add(new StringStringEntryProto { Key = "thresholds", Value = JsonSerializer.Serialize(classifier.Thresholds) });
        model.DocString = "SeqClassify sequence " + (regression ? "regression" : "classifier") + ": " + (tokens ? "token ids" : "feature steps") +
            " and lengths in, " + (regression ? "scores" : "class probabilities") + " out.";
        using var output = new Google.Protobuf.CodedOutputStream(stream, leaveOpen: true);
        model.WriteTo(output);
    }

    /// <summary>
    /// The classifier's part of a pipeline ConvertToOnnx converts: the feature column's variable in,
    /// Score (class probabilities), PredictedLabel (the first most probable class's key, 1-based as
    /// ML.NET's keys) and, with attention pooling, AttentionWeights out, under the columns' names.
    /// </summary>
    internal static void SaveInPipeline(SequenceClassificationTransformer classifier, OnnxContext ctx, IReadOnlyList<DataViewSchema.DetachedColumn> columns)
    {
        var g = new OnnxGraph(ctx, "SeqClassify.Classifier");
        string feature = ctx.GetVariableName(classifier.FeatureColumnName);
        var (input, lengths) = classifier.FeatureSize == 0
            ? (feature, SequenceInputs.LengthsOfPaddedIds(g, feature))
            : SequenceInputs.StepsOfFeatureVector(g, feature, classifier.FeatureSize);
        (input, lengths) = SequenceInputs.Truncate(g, input, lengths, classifier.MaximumLength);
        var outputs = ClassifierGraph.Build(g, classifier.Model, input, lengths);

        g.Into("Identity", [outputs.Probabilities], [ctx.AddIntermediateVariable(columns[0].Type, columns[0].Name)]);
        int next = 1;
        // A regression's Score is its only output (ML.NET's regression scorers have no PredictedLabel).
        if (classifier.ModelOptions.Task != SeqClassify.Torch.SequenceTask.Regression)
        {
            string best = g.Op("ArgMax", [outputs.Probabilities], n => { n.AddAttribute("axis", 1L); n.AddAttribute("keepdims", 1L); });
            g.Into("Cast", [g.Op("Add", best, g.Scalar(1L))], [ctx.AddIntermediateVariable(columns[1].Type, columns[1].Name)], n => n.AddAttribute("to", typeof(uint)));
            next = 2;
        }
        if (outputs.AttentionWeights is { } weights) g.Into("Identity", [weights], [ctx.AddIntermediateVariable(columns[next].Type, columns[next].Name)]);
    }

    private static void Output(OnnxContextImpl ctx, OnnxGraph g, string value, string name, DataViewType itemType)
    {
        var type = new VectorDataViewType((PrimitiveDataViewType)itemType);
        string variable = ctx.AddIntermediateVariable(type, name);
        g.Into("Identity", [value], [variable]);
        ctx.AddOutputVariable(type, variable);
    }

    /// <summary>Sets a declared input's or output's dimensions: a string is a named (dynamic) one, a number a fixed one.</summary>
    private static void Shape(IEnumerable<ValueInfoProto> values, string name, object[] dims)
    {
        var shape = values.Single(v => v.Name == name).Type.TensorType.Shape;
        shape.Dim.Clear();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim is string param ? new TensorShapeProto.Types.Dimension { DimParam = param }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim) });
        }
    }
}
