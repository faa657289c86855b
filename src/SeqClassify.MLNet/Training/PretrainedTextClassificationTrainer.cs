using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SeqClassify.MLNet.Text;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// Fine-tunes a pretrained Hugging Face folder on text columns, as ML.NET's TextClassification trainer
/// takes them: one sentence column, or two for sentence pairs; tokenization is inside. Fit tokenizes
/// with the folder's tokenizer (<c>TokenizeForPretrained</c>) and trains with <see cref="SequenceClassificationTrainer"/> and
/// its options (<see cref="SequenceClassificationOptions.FineTuning(string)"/> unless given); the result is the chain
/// of both, whose .zip carries the vocabulary and every weight.
/// </summary>
public sealed class PretrainedTextClassificationTrainer : IEstimator<TransformerChain<SequenceClassificationTransformer>>
{
    private readonly IHostEnvironment _env;
    private readonly PretrainedTokenizingEstimator _tokenizer;
    private readonly SequenceClassificationTrainer _trainer;

    internal PretrainedTextClassificationTrainer(IHostEnvironment env, string folder, string labelColumnName, string sentence1ColumnName,
        string? sentence2ColumnName, int maximumLength, SequenceClassificationOptions? options)
    {
        _env = env;
        options ??= SequenceClassificationOptions.FineTuning(folder);
        if (options.PretrainedModel != folder)
        {
            throw new ArgumentException($"options.PretrainedModel is '{options.PretrainedModel}'; this trainer fine-tunes '{folder}' (start from SequenceClassificationOptions.FineTuning(folder)).", nameof(options));
        }
        options.LabelColumnName = labelColumnName;
        _tokenizer = new PretrainedTokenizingEstimator(env, options.FeatureColumnName, sentence1ColumnName, PretrainedTokenizer.Load(folder, maximumLength), sentence2ColumnName);
        _trainer = new SequenceClassificationTrainer(env, options);
    }

    /// <summary>The trainer's options (the fine-tuning recipe), to read.</summary>
    public SequenceClassificationOptions Options => _trainer.Options;

    /// <summary>Tokenizes <paramref name="input"/>'s sentence column(s), then fine-tunes on the ids and the label column.</summary>
    public TransformerChain<SequenceClassificationTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var tokenize = _tokenizer.Fit(input);
        var classifier = _trainer.Fit(tokenize.Transform(input));
        return new TransformerChain<SequenceClassificationTransformer>(tokenize, classifier);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _trainer.GetOutputSchema(_tokenizer.GetOutputSchema(inputSchema));
}
