using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using SeqClassify.MLNet.Text;

namespace SeqClassify.MLNet.Onnx;

/// <summary>
/// <see cref="TokenToIdMappingTransformer"/> in an ONNX graph: ONNX-ML's LabelEncoder from token
/// strings to ids (anything else to &lt;unk&gt;, 1), then the transformer's truncation (head, tail or
/// head and tail, per row of a padded batch) and its rule that a row without tokens is one &lt;unk&gt;.
/// Tokens [B, T] may be right-padded with empty strings, which no tokenizer emits: they become id 0.
/// </summary>
internal static class TokenIdsOnnxExport
{
    /// <summary>Refuses what ONNX Runtime would not compute exactly as .NET does, naming the option.</summary>
    public static bool CanSave(TokenToIdMappingTransformer transformer, OnnxContext ctx)
    {
        ctx.CheckOpSetVersion(OnnxGraph.OpSet, nameof(TokenToIdMappingTransformer));
        if (transformer.Options.LowerCase)
        {
            throw new NotSupportedException(
                "ONNX export: TokenToIdMappingTransformer with LowerCase cannot be exported: ONNX Runtime's StringNormalizer lower-cases by a C locale's rules, " +
                "not .NET's invariant culture, so some tokens would map to other ids. Lower-case the tokens before MapTokensToIds (e.g. ML.NET's NormalizeText) instead.");
        }
        return true;
    }

    public static void Save(TokenToIdMappingTransformer transformer, OnnxContext ctx, IReadOnlyList<DataViewSchema.DetachedColumn> columns)
    {
        var g = new OnnxGraph(ctx, "SeqClassify.TokenIds");
        var options = transformer.Options;
        string tokens = ctx.GetVariableName(options.InputColumnName);
        var vocabulary = transformer.Vocabulary.Tokens;
        string ids = g.Op("LabelEncoder", [tokens], n =>
        {
            n.AddAttribute("keys_strings", vocabulary.Append(""));
            n.AddAttribute("values_int64s", Enumerable.Range(0, vocabulary.Count).Select(i => (long)i).Append(0L));
            n.AddAttribute("default_int64", 1L);
        }, OnnxGraph.MLDomain);
        // Each row's tokens: the non-empty ones, counted from the strings rather than from ids != 0,
        // because a literal "<pad>" in the text is id 0 too and counts as a token in .NET.
        string present = g.Op("LabelEncoder", [tokens], n =>
        {
            n.AddAttribute("keys_strings", new[] { "" });
            n.AddAttribute("values_int64s", new[] { 0L });
            n.AddAttribute("default_int64", 1L);
        }, OnnxGraph.MLDomain);
        string lengths = g.Reduce("ReduceSum", present, 1);
        // The width from the data, not from Shape: ML.NET's own Tokenizer declares its tokens [batch, 1],
        // and ONNX Runtime folds a Shape of a declared dimension into a constant.
        string width = g.Op("Gather", [g.Reduce("ReduceSum", g.Cast(g.Op("Equal", ids, ids), typeof(long)), 1), g.Scalar(0L)], n => n.AddAttribute("axis", 0L));
        // KeepAll keeps every id (a model reading windows), whatever MaximumLength says.
        if (options.MaximumLength > 0 && options.Truncation != TruncationPolicy.KeepAll) (ids, lengths, width) = Truncate(g, ids, lengths, width, options.MaximumLength, options.Truncation);
        (ids, lengths) = UnknownForEmpty(g, ids, lengths, width);

        g.Into("Identity", [ids], [ctx.AddIntermediateVariable(columns[0].Type, columns[0].Name)]);
        if (columns.Count > 1)
        {
            g.Into("Cast", [g.Unsqueeze(lengths, 1)], [ctx.AddIntermediateVariable(columns[1].Type, columns[1].Name)], n => n.AddAttribute("to", typeof(int)));
        }
    }

    /// <summary>
    /// Position j of a kept row reads its id at j, or at j + (length - max) once j passes the head's
    /// h positions (h = max: the head; 0: the tail; (max + 1) / 2: head and tail), as Map does; rows no
    /// longer than max read j, their own ids and then padding.
    /// </summary>
    private static (string Ids, string Lengths, string Width) Truncate(OnnxGraph g, string ids, string lengths, string width, int max, TruncationPolicy policy)
    {
        long head = policy switch
        {
            TruncationPolicy.KeepTail => 0,
            TruncationPolicy.KeepHeadAndTail => (max + 1) / 2,
            _ => max,
        };
        string kept = g.Op("Min", width, g.Scalar((long)max));
        string j = g.Op("Range", g.Scalar(0L), kept, g.Scalar(1L));
        string pastHead = g.Cast(g.Op("Not", g.Op("Less", j, g.Scalar(head))), typeof(long));
        string shift = g.Op("Max", g.Op("Sub", lengths, g.Scalar((long)max)), g.Scalar(0L));
        string at = g.Op("Add", g.Unsqueeze(j, 0), g.Op("Mul", g.Unsqueeze(pastHead, 0), g.Unsqueeze(shift, 1)));
        return (g.Op("GatherElements", [ids, at], n => n.AddAttribute("axis", 1L)), g.Op("Min", lengths, g.Scalar((long)max)), kept);
    }

    /// <summary>A row without tokens becomes one &lt;unk&gt; at position 0 (a batch of only such rows is first padded to width 1).</summary>
    private static (string Ids, string Lengths) UnknownForEmpty(OnnxGraph g, string ids, string lengths, string width)
    {
        string missing = g.Op("Max", g.Op("Sub", g.Scalar(1L), width), g.Scalar(0L));
        string pads = g.Op("Concat", [g.Longs("no_pads", [0, 0, 0], 3), g.Unsqueeze(missing, 0)], n => n.AddAttribute("axis", 0L));
        string padded = g.Op("Pad", ids, pads, g.Scalar(0L));
        string empty = g.Op("Equal", lengths, g.Scalar(0L));  // [B]
        string first = g.Op("Equal", g.Op("Range", g.Scalar(0L), g.Op("Add", width, missing), g.Scalar(1L)), g.Scalar(0L));  // [T]
        string unknown = g.Op("And", g.Unsqueeze(empty, 1), g.Unsqueeze(first, 0));
        return (g.Op("Where", unknown, g.Scalar(1L), padded), g.Op("Max", lengths, g.Scalar(1L)));
    }
}
