using SeqClassify.MLNet.Conversion;
using SeqClassify.MLNet.Text;
using SeqClassify.MLNet.Training;

namespace SeqClassify.MLNet.Persistence;

/// <summary>Maps each step kind written in a manifest to the code that loads it.</summary>
internal static class TransformerRegistry
{
    private static readonly Dictionary<string, Func<ModelLoadContext, ITransformer>> Loaders = new(StringComparer.Ordinal)
    {
        [TextNormalizingTransformer.KindName] = TextNormalizingTransformer.Load,
        [WordTokenizingTransformer.KindName] = WordTokenizingTransformer.Load,
        [TokenToIdMappingTransformer.KindName] = TokenToIdMappingTransformer.Load,
        [ValueToKeyMappingTransformer.KindName] = ValueToKeyMappingTransformer.Load,
        [KeyToValueMappingTransformer.KindName] = KeyToValueMappingTransformer.Load,
        [SequenceClassificationTransformer.KindName] = SequenceClassificationTransformer.Load,
        [Transforms.ColumnSelectingTransformer.KindName] = Transforms.ColumnSelectingTransformer.Load,
    };

    public static ITransformer Load(ModelLoadContext context) =>
        Loaders.TryGetValue(context.Kind, out var load)
            ? load(context)
            : throw new InvalidDataException($"Unknown step kind '{context.Kind}'. Known kinds: {string.Join(", ", Loaders.Keys)}.");
}
