using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using SeqClassify.MLNet.Onnx;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;

namespace SeqClassify.Cli.Commands;

/// <summary>
/// seqclassify export: a trained model as ONNX, for ONNX Runtime and ML.NET's ApplyOnnxModel on any
/// platform. By default the prediction pipeline from the earliest column ONNX Runtime computes exactly
/// as SeqClassify does: the text (ML.NET's whitespace and character tokenizers export), the tokens
/// (SeqClassify's basic_english tokenizer does not: the caller tokenizes), or the ids (a pretrained
/// model's WordPiece); with --network-only, the network alone (padded ids or features, and lengths).
/// </summary>
internal sealed class ExportCommand
{
    private readonly Option<string> _model = new("--model") { Description = "The model .zip.", Required = true };
    private readonly Option<string> _onnx = new("--onnx") { Description = "Where to write the ONNX model (.onnx); written atomically.", Required = true };
    private readonly Option<bool> _networkOnly = new("--network-only")
    {
        Description = "Only the network: inputs ids [batch, sequence] (or features [batch, sequence, size]) and lengths [batch], output probabilities [batch, classes].",
    };

    public Command Build(CliConsole console)
    {
        var command = new Command("export", """
            Write a trained model as ONNX (opset 12) for ONNX Runtime or ML.NET's ApplyOnnxModel, on any platform they run on.
            The graph starts at the earliest column ONNX Runtime computes exactly as SeqClassify: the text with the
            whitespace and characters tokenizers, the tokens with basic-english (tokenize first with its rules),
            the ids with a pretrained model (its WordPiece tokenizer first). Outputs: Score (probabilities) and PredictedLabel.

            Example:
              seqclassify export --model sst2.zip --onnx sst2.onnx
              seqclassify export --model sst2.zip --onnx sst2-network.onnx --network-only
            """);
        command.Options.Add(_model);
        command.Options.Add(_onnx);
        command.Options.Add(_networkOnly);
        command.SetAction(parse => Run(parse, console));
        return command;
    }

    private int Run(ParseResult parse, CliConsole console)
    {
        string path = parse.GetValue(_model)!, output = parse.GetValue(_onnx)!;
        OutputFile.CheckNotAnInput("--onnx", output, ("--model", path));
        OutputFile.CheckWritable(output);
        var ml = new MLContext(seed: 1);
        var model = LoadedModel.Load(ml, path);
        if (parse.GetValue(_networkOnly))
        {
            OutputFile.WriteAtomically(output, temporary =>
            {
                using var stream = File.Create(temporary);
                model.Classifier.ExportNetworkToOnnx(stream);
            });
            bool tokens = model.Classifier.FeatureSize == 0;
            console.Out.WriteLine($"wrote {output}: the network alone; inputs {(tokens ? "ids [batch, sequence] int64 (0 pads)" : "features [batch, sequence, size] float")} " +
                $"and lengths [batch] int64, output probabilities [batch, {model.Classifier.LabelNames.Count}] ({string.Join(", ", model.Classifier.LabelNames)})");
            return ExitCodes.Success;
        }

        // The earliest start first; ML.NET's converter fails on some of its own steps (its KeyToValue of
        // character keys throws NullReferenceException), so the next start is tried, and the reason said.
        string? skipped = null;
        var starts = Starts(model.Chain).ToList();
        for (int start = 0; start < starts.Count; start++)
        {
            var (steps, input) = starts[start];
            var view = InputView(input.Name, input.Type);
            string[] outputs = [.. new[] { model.Classifier.ScoreColumnName, model.Classifier.PredictedLabelColumnName, SequenceClassificationTransformer.AttentionWeightsColumnName }
                .Where(c => steps.GetOutputSchema(view.Schema).GetColumnOrNull(c) is not null)];
            byte[] onnx;
            try
            {
                using var buffer = new MemoryStream();
                ml.Model.ConvertToOnnx(steps, view, buffer, outputs);
                onnx = buffer.ToArray();
            }
            catch (Exception e) when (start < starts.Count - 1 && e is not NotSupportedException)
            {
                skipped = $"ML.NET's converter failed on the steps before {starts[start + 1].Input.Name} ({e.GetType().Name}: {e.Message})";
                continue;
            }
            OutputFile.WriteAtomically(output, temporary => File.WriteAllBytes(temporary, onnx));
            console.Out.WriteLine($"wrote {output}: input {input.Name} ({Describe(input.Type)}), outputs {string.Join(", ", outputs.Select(o => o + ".output"))}");
            if (skipped is not null) console.Out.WriteLine($"  from the tokens: {skipped}");
            if (input.Name != "Text") console.Out.WriteLine($"  {input.Name} is what the model's {input.Producer} makes from the text: {input.Advice}");
            return ExitCodes.Success;
        }
        throw new System.Diagnostics.UnreachableException("the last start exports or throws");
    }

    /// <summary>Where the exported graph starts: the column, its type, and which step made it (and how to make it outside the graph).</summary>
    private sealed record GraphInput(string Name, DataViewType Type, string Producer, string Advice);

    /// <summary>
    /// Where a graph can start, earliest first: after the last step ONNX Runtime cannot compute
    /// (SeqClassify's text steps), then at the tokens MapTokensToIds reads. Without the label-to-key
    /// step (training's; a prediction reads no label).
    /// </summary>
    private static IEnumerable<(TransformerChain<ITransformer> Steps, GraphInput Input)> Starts(ITransformer chain)
    {
        var steps = (chain as IEnumerable<ITransformer> ?? [chain]).Where(t => t is not ValueToKeyMappingTransformer).ToList();
        int last = steps.FindLastIndex(t => t is TextColumnTransformer);
        var input = last < 0 ? new GraphInput("Text", TextDataViewType.Instance, "", "") : steps[last] switch
        {
            TokenizingTransformer t => Tokens(t.OutputColumnName,
                "ONNX Runtime cannot apply its rules exactly; tokenize with them first (C#: BasicEnglishTokenizer.Tokenize; README: \"Deploy anywhere with ONNX\"), one row of tokens per text."),
            PretrainedTokenizingTransformer t => new GraphInput(t.OutputColumnName, new VectorDataViewType(NumberDataViewType.Int64), "WordPiece tokenizer",
                "ONNX Runtime has no WordPiece; encode with the pretrained folder's tokenizer first ([CLS] text [SEP]), as a Hugging Face tokenizer would."),
            var t => new GraphInput(((TextColumnTransformer)t).OutputColumnName, TextDataViewType.Instance, t.GetType().Name,
                "ONNX Runtime cannot rewrite text; apply it before the graph (C#: PennTreebankUnescapingTransformer.Unescape)."),
        };
        yield return (new TransformerChain<ITransformer>(steps.Skip(last + 1).ToArray()), input);
        int vocabulary = steps.FindIndex(t => t is TokenToIdMappingTransformer);
        if (vocabulary > last + 1)
        {
            yield return (new TransformerChain<ITransformer>(steps.Skip(vocabulary).ToArray()),
                Tokens(((TokenToIdMappingTransformer)steps[vocabulary]).Options.InputColumnName, "split the text as the model's tokenizer does, one row of tokens per text."));
        }
    }

    private static GraphInput Tokens(string column, string advice) => new(column, new VectorDataViewType(TextDataViewType.Instance), "tokenizer", advice);

    /// <summary>An empty view of the one input column: ConvertToOnnx declares its graph's inputs from the view's columns.</summary>
    private static IDataView InputView(string name, DataViewType type)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(name, type);
        return new EmptyView(builder.ToSchema());
    }

    private static string Describe(DataViewType type) => type switch
    {
        VectorDataViewType { ItemType: TextDataViewType } => "string [batch, tokens], right-padded with empty strings",
        VectorDataViewType => "int64 [batch, ids], right-padded with 0",
        _ => "string [batch, 1]",
    };

    /// <summary>No rows, only a schema (ML.NET keeps its own EmptyDataView internal).</summary>
    private sealed class EmptyView(DataViewSchema schema) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema => schema;

        public long? GetRowCount() => 0;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            throw new NotSupportedException("An export's input view has no rows.");

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            throw new NotSupportedException("An export's input view has no rows.");
    }
}
