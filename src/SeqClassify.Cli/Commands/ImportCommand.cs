using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using SeqClassify.MLNet.Training;
using SeqClassify.Torch.Pretrained;

namespace SeqClassify.Cli.Commands;

/// <summary>
/// seqclassify import: a Hugging Face checkpoint already fine-tuned for classification becomes a model
/// .zip that predict, evaluate, serve and info take as they take a trained one. The pipeline is the one
/// train --pretrained-model writes (labels to keys in the classifier's order, the folder's tokenizer, the
/// classifier, keys back to labels), with nothing trained.
/// </summary>
internal sealed class ImportCommand
{
    private readonly Option<string> _folder = new("--pretrained-model")
    {
        Description = "A fine-tuned BERT or DistilBERT folder (config.json with id2label, model.safetensors with the classifier, vocab.txt).",
        Required = true,
    };
    private readonly Option<string> _out = new("--out") { Description = "Where to save the model (.zip); written atomically.", Required = true };
    private readonly Option<string?> _labels = new("--labels")
    {
        Description = "Comma-separated names for the classes in the classifier's order, instead of config.json's id2label (e.g. 0,1 to evaluate on SST-2's files).",
    };
    private readonly Option<int?> _maxLength = new("--max-length") { Description = $"Keep at most this many ids per text, [CLS] and [SEP] included (default {CliPipeline.DefaultPretrainedLength})." };
    private readonly Option<bool> _unescapePtb = new("--unescape-ptb") { Description = "Undo Penn Treebank escapes (-lrb- etc.) before tokenizing, as in SST-2 dev/test." };
    private readonly Option<bool> _pairs = new("--pairs")
    {
        Description = "The checkpoint classifies sentence pairs (e.g. entailment): the model then reads Text and Pair, as evaluate --pair-column gives them.",
    };

    public Command Build(CliConsole console)
    {
        var command = new Command("import", """
            Make a model .zip from a Hugging Face checkpoint already fine-tuned for sequence classification
            (BertForSequenceClassification or DistilBertForSequenceClassification, saved as safetensors): nothing is
            trained; predict, evaluate, serve and info then take the .zip.

            Example:
              seqclassify import --pretrained-model distilbert-base-uncased-finetuned-sst-2-english --labels 0,1 --out sst2-distilbert.zip
              seqclassify evaluate --model sst2-distilbert.zip --data ../shared/datasets/sst2/test.tsv --text-column sentence --label-column label
            """);
        command.Options.Add(_folder);
        command.Options.Add(_out);
        command.Options.Add(_labels);
        command.Options.Add(_maxLength);
        command.Options.Add(_unescapePtb);
        command.Options.Add(_pairs);
        command.SetAction(parse => Run(parse, console));
        return command;
    }

    private int Run(ParseResult parse, CliConsole console)
    {
        string folder = parse.GetValue(_folder)!, output = parse.GetValue(_out)!;
        if (parse.GetValue(_maxLength) is < 1 and var bad) throw new UsageException($"--max-length must be at least {(parse.GetValue(_pairs) ? 3 : 2)}, got {bad}");
        int maxLength = CliPipeline.PretrainedLength(folder, parse.GetValue(_maxLength) ?? 0, parse.GetValue(_pairs), console.Out);
        string[]? labels = parse.GetValue(_labels)?.Split(',', StringSplitOptions.TrimEntries);
        OutputFile.CheckNotInFolder("--out", output, "--pretrained-model", folder);
        OutputFile.CheckWritable(output);

        var checkpoint = PretrainedTransformer.Load(folder);
        if (!checkpoint.HasClassifier)
        {
            throw new InvalidDataException($"'{folder}' has no sequence-classification head (classifier.weight): fine-tune it with train --pretrained-model instead");
        }
        if (labels is not null && labels.Length != checkpoint.Labels.Count)
        {
            throw new UsageException($"--labels names {labels.Length} classes; '{folder}' has {checkpoint.Labels.Count} ({string.Join(", ", checkpoint.Labels)})");
        }

        var ml = new MLContext(seed: 1);
        // No rows to learn from: the schema train would read (Label, Text), and the labels in the classifier's order as the keys' data.
        var names = labels ?? checkpoint.Labels.ToArray();
        bool pairs = parse.GetValue(_pairs);
        var schemaRows = pairs ? ml.Data.LoadFromEnumerable(names.Select(n => new CliPairRow { Label = n }).ToList())
            : ml.Data.LoadFromEnumerable(names.Select(n => new CliRow { Label = n }).ToList());
        // train --pretrained-model's featurization with the same settings, the labels' keys in the classifier's order.
        var settings = new CliPipeline.Settings(CliPipeline.Tokenizer.BasicEnglish, 1, maxLength, parse.GetValue(_unescapePtb), folder, pairs);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence,
            keyData: ml.Transforms.SelectColumns("Label").Fit(schemaRows).Transform(schemaRows));
        var model = CliPipeline.Featurize(ml, settings, keys)
            .Append<ITransformer>(ml.Transforms.ApplyFineTunedClassifier(checkpoint, labels: labels))
            .Append<ITransformer>(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(schemaRows);
        OutputFile.WriteAtomically(output, temporary => ml.Model.Save(model, schemaRows.Schema, temporary));
        var loaded = ((IEnumerable<ITransformer>)model).OfType<SequenceClassificationTransformer>().Single();
        console.Out.WriteLine($"model saved to {output}: {loaded.ModelOptions.NumLayers}-layer pretrained classifier from {folder}, labels {string.Join(", ", loaded.LabelNames)}, {loaded.ParameterCount:N0} parameters");
        return ExitCodes.Success;
    }
}
