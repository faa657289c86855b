using System.Text.Json;

namespace SeqClassify.Torch.Pretrained;

/// <summary>
/// A pretrained BERT-shaped encoder from a local Hugging Face folder (config.json, model.safetensors),
/// as the engine's Transformer: post-norm layers with exact GELU, learned positions, embeddings
/// normalised without sqrt(E) scaling, LayerNorm eps from the config. Its weights are renamed to the
/// engine's parameters (query, key and value stacked into in_proj_weight, as nn.MultiheadAttention
/// keeps them), and the token-type embedding's row 0 is added to the position table: exact for
/// single-segment input, which classification of one text is. The pooler is not used (its [CLS]
/// projection is often untrained, e.g. in sentence-transformers models): pool by mean or first.
/// </summary>
public sealed class PretrainedTransformer
{
    /// <summary>The most layers a pretrained encoder may have (BERT-large has 24).</summary>
    public const int MaximumLayers = 64;

    /// <summary>The largest vocabulary accepted.</summary>
    public const int MaximumVocabulary = 1_000_000;

    private readonly IReadOnlyDictionary<string, NamedTensor> _encoder;
    private readonly JsonElement _config;
    private readonly string _configPath;

    private PretrainedTransformer(string folder, string modelType, JsonElement config, string configPath, SequenceModelOptions architecture,
        IReadOnlyDictionary<string, NamedTensor> encoder)
    {
        Folder = folder;
        ModelType = modelType;
        _config = config;
        _configPath = configPath;
        Architecture = architecture;
        _encoder = encoder;
    }

    /// <summary>The folder it was read from.</summary>
    public string Folder { get; }

    /// <summary>config.json's model_type.</summary>
    public string ModelType { get; }

    /// <summary>The encoder's options (pooled by mean into 2 classes until <see cref="ClassifierOptions(SequenceModelOptions, int)"/> says otherwise).</summary>
    public SequenceModelOptions Architecture { get; }

    /// <summary>The encoder's parameters under the engine's names (all but the pooling and the head).</summary>
    public IReadOnlyCollection<NamedTensor> EncoderParameters => (IReadOnlyCollection<NamedTensor>)_encoder.Values;

    /// <summary>Reads and checks a folder; anything missing, unknown, misshapen or beyond limits is refused naming the file and the tensor.</summary>
    public static PretrainedTransformer Load(string folder)
    {
        string configPath = Path.Combine(folder, "config.json");
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"pretrained model folder '{folder}' does not exist");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"'{folder}' has no config.json: not a Hugging Face model folder", configPath);
        string weightsPath = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weightsPath))
        {
            throw new FileNotFoundException(File.Exists(Path.Combine(folder, "pytorch_model.bin"))
                ? $"'{folder}' has pytorch_model.bin but no model.safetensors: the engine does not unpickle PyTorch files (unpickling runs code). " +
                  "Convert it once with Python: `import torch; from safetensors.torch import save_file; " +
                  "save_file(torch.load('pytorch_model.bin'), 'model.safetensors')`, or save the model with transformers' save_pretrained, which writes safetensors."
                : $"'{folder}' has no model.safetensors", weightsPath);
        }
        var config = ReadConfig(configPath);
        var architecture = new SequenceModelOptions { Pooling = SequencePooling.Mean };
        ApplyBert(config, configPath, architecture);
        var weights = SafeTensors.Read(weightsPath);
        return new PretrainedTransformer(folder, "bert", config, configPath, architecture, BertWeights(weights, architecture, weightsPath));
    }

    /// <summary>
    /// Options for a classifier over this encoder: <paramref name="rest"/>'s pooling, head, dropout before
    /// it, loss, optimiser and seed, with every field the folder decides (the encoder) taken from it.
    /// </summary>
    public SequenceModelOptions ClassifierOptions(SequenceModelOptions rest, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(rest);
        var options = rest.Clone();
        ApplyBert(_config, _configPath, options);
        options.NumClasses = numClasses;
        return options;
    }

    /// <summary>Options for a classifier over this encoder with the engine's defaults for the rest.</summary>
    public SequenceModelOptions ClassifierOptions(int numClasses, SequencePooling pooling = SequencePooling.Mean) =>
        ClassifierOptions(new SequenceModelOptions { Pooling = pooling }, numClasses);

    /// <summary>
    /// A classifier whose encoder holds these pretrained weights and whose head (and attention pooling,
    /// if chosen) starts as the engine initialises it from <paramref name="options"/>' seed.
    /// <paramref name="options"/> must keep <see cref="Architecture"/>'s encoder fields.
    /// </summary>
    public SequenceClassifierModel CreateClassifier(SequenceModelOptions options)
    {
        var model = new SequenceClassifierModel(options);
        try
        {
            var parameters = TensorArchive.Read(model.ExportParameters())
                .Select(p => _encoder.TryGetValue(p.Name, out var pretrained) ? pretrained : p).ToList();
            model.ImportParameters(TensorArchive.Write(parameters));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static JsonElement ReadConfig(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}");
        }
    }

    // What config.json decides, written over the target's own values: the one list of the encoder's fields.
    private static void ApplyBert(JsonElement c, string path, SequenceModelOptions to)
    {
        string modelType = Text(c, "model_type", path);
        if (modelType != "bert")
        {
            throw new InvalidDataException($"'{path}': model_type '{modelType}' is not supported; the engine reads BERT-shaped encoders (model_type \"bert\": BERT, MiniLM, TinyBERT and others).");
        }
        if (c.TryGetProperty("position_embedding_type", out var positions) && positions.GetString() != "absolute")
        {
            throw new InvalidDataException($"'{path}': position_embedding_type '{positions.GetString()}' is not supported (only \"absolute\").");
        }
        string activation = Text(c, "hidden_act", path);
        if (activation != "gelu")
        {
            throw new InvalidDataException($"'{path}': hidden_act '{activation}' is not supported (only \"gelu\", the exact erf form).");
        }
        int hidden = Integer(c, "hidden_size", path, 1, SequenceModelOptions.MaximumWidth);
        int heads = Integer(c, "num_attention_heads", path, 1, SequenceModelOptions.MaximumHeads);
        if (hidden % heads != 0) throw new InvalidDataException($"'{path}': num_attention_heads {heads} does not divide hidden_size {hidden}.");
        double epsilon = Number(c, "layer_norm_eps", path);
        float hiddenDropout = (float)Number(c, "hidden_dropout_prob", path);
        to.Encoder = SequenceEncoder.Transformer;
        to.VocabularySize = Integer(c, "vocab_size", path, 2, MaximumVocabulary);
        to.InputSize = hidden;
        to.HiddenSize = hidden;
        to.NumLayers = Integer(c, "num_hidden_layers", path, 1, MaximumLayers);
        to.Heads = heads;
        to.FeedForwardSize = Integer(c, "intermediate_size", path, 1, SequenceModelOptions.MaximumWidth);
        to.MaxPositions = Integer(c, "max_position_embeddings", path, 1, SequenceModelOptions.MaximumPositions);
        to.PositionalEncoding = PositionalEncoding.Learned;
        to.Activation = TransformerActivation.Gelu;
        to.NormFirst = false;
        to.LayerNormEpsilon = epsilon;
        to.ScaleEmbedding = false;
        to.EmbeddingNorm = true;
        // BERT drops out after the embeddings and inside each layer with hidden_dropout_prob.
        to.EmbeddingDropout = hiddenDropout;
        to.TransformerDropout = hiddenDropout;
        // The embedding comes from the folder's weights, not from a matrix in the options.
        to.PretrainedEmbeddings = null;
    }

    // Hugging Face names (an optional "bert." prefix, as BertForSequenceClassification saves them) -> the engine's.
    private static Dictionary<string, NamedTensor> BertWeights(IReadOnlyDictionary<string, NamedTensor> file, SequenceModelOptions a, string path)
    {
        string prefix = file.Keys.Any(k => k.StartsWith("bert.", StringComparison.Ordinal)) ? "bert." : "";
        var used = new HashSet<string>();
        NamedTensor Take(string name, params long[] shape)
        {
            // Older checkpoints name LayerNorm parameters gamma and beta.
            string[] names = [prefix + name, prefix + name.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta")];
            string? found = names.FirstOrDefault(file.ContainsKey)
                ?? throw new InvalidDataException($"'{path}' has no tensor '{prefix + name}'.");
            var tensor = file[found];
            if (!tensor.Shape.SequenceEqual(shape))
            {
                throw new InvalidDataException($"'{path}': tensor '{found}' has shape [{string.Join(", ", tensor.Shape)}]; config.json implies [{string.Join(", ", shape)}].");
            }
            used.Add(found);
            return tensor;
        }
        long V = a.VocabularySize, D = a.HiddenSize, F = a.FeedForwardSize, P = a.MaxPositions;
        var engine = new Dictionary<string, NamedTensor>();
        void Put(string name, NamedTensor tensor) => engine[name] = new NamedTensor(name, tensor.Shape, tensor.Floats, null);
        Put("embedding.weight", Take("embeddings.word_embeddings.weight", V, D));
        var positions = Take("embeddings.position_embeddings.weight", P, D).Floats!;
        // Any number of token types (type_vocab_size); a missing tensor is named by Take.
        long typeRows = file.TryGetValue(prefix + "embeddings.token_type_embeddings.weight", out var typeTable) && typeTable.Shape.Length > 0 ? typeTable.Shape[0] : 1;
        var types = Take("embeddings.token_type_embeddings.weight", Math.Max(typeRows, 1), D).Floats!;
        // Single-segment input: every token has type 0, whose row is a constant added to every position.
        var table = new float[positions.Length];
        for (long i = 0; i < table.Length; i++) table[i] = positions[i] + types[i % D];
        engine["positional.weight"] = new NamedTensor("positional.weight", [P, D], table, null);
        Put("embedding_norm.weight", Take("embeddings.LayerNorm.weight", D));
        Put("embedding_norm.bias", Take("embeddings.LayerNorm.bias", D));
        for (int layer = 0; layer < a.NumLayers; layer++)
        {
            string from = $"encoder.layer.{layer}.", to = $"encoder.layers.{layer}.";
            var q = Take(from + "attention.self.query.weight", D, D);
            var k = Take(from + "attention.self.key.weight", D, D);
            var v = Take(from + "attention.self.value.weight", D, D);
            engine[to + "self_attn.in_proj_weight"] = new NamedTensor(to + "self_attn.in_proj_weight", [3 * D, D], [.. q.Floats!, .. k.Floats!, .. v.Floats!], null);
            var qb = Take(from + "attention.self.query.bias", D);
            var kb = Take(from + "attention.self.key.bias", D);
            var vb = Take(from + "attention.self.value.bias", D);
            engine[to + "self_attn.in_proj_bias"] = new NamedTensor(to + "self_attn.in_proj_bias", [3 * D], [.. qb.Floats!, .. kb.Floats!, .. vb.Floats!], null);
            Put(to + "self_attn.out_proj.weight", Take(from + "attention.output.dense.weight", D, D));
            Put(to + "self_attn.out_proj.bias", Take(from + "attention.output.dense.bias", D));
            Put(to + "norm1.weight", Take(from + "attention.output.LayerNorm.weight", D));
            Put(to + "norm1.bias", Take(from + "attention.output.LayerNorm.bias", D));
            Put(to + "linear1.weight", Take(from + "intermediate.dense.weight", F, D));
            Put(to + "linear1.bias", Take(from + "intermediate.dense.bias", F));
            Put(to + "linear2.weight", Take(from + "output.dense.weight", D, F));
            Put(to + "linear2.bias", Take(from + "output.dense.bias", D));
            Put(to + "norm2.weight", Take(from + "output.LayerNorm.weight", D));
            Put(to + "norm2.bias", Take(from + "output.LayerNorm.bias", D));
        }
        // What a BERT checkpoint may carry besides the encoder: the pooler, the position-id buffer,
        // pretraining heads, a previous fine-tuning's classifier. Anything else is a layer the config does not describe.
        string[] ignorable = ["pooler.", "embeddings.position_ids", "cls.", "classifier.", "bert.pooler.", "bert.embeddings.position_ids"];
        var unknown = file.Keys.FirstOrDefault(k => !used.Contains(k) && !ignorable.Any(i => k.StartsWith(i, StringComparison.Ordinal)));
        if (unknown is not null)
        {
            throw new InvalidDataException($"'{path}' has a tensor '{unknown}' that a {a.NumLayers}-layer BERT encoder does not have (is num_hidden_layers right?).");
        }
        return engine;
    }

    private static string Text(JsonElement c, string name, string path) =>
        c.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!
            : throw new InvalidDataException($"'{path}' has no string \"{name}\".");

    private static int Integer(JsonElement c, string name, string path, int low, int high)
    {
        if (!c.TryGetProperty(name, out var value) || !value.TryGetInt64(out long number))
        {
            throw new InvalidDataException($"'{path}' has no integer \"{name}\".");
        }
        if (number < low || number > high) throw new InvalidDataException($"'{path}': {name} {number} is outside {low}..{high:N0}.");
        return (int)number;
    }

    private static double Number(JsonElement c, string name, string path) =>
        c.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble()
            : throw new InvalidDataException($"'{path}' has no number \"{name}\".");
}
