// seqclassify-bench: `run` compares SeqClassify with the PyTorch and fastText references on one
// dataset in one run; `worker` is one SeqClassify measurement (the harness starts it).
// Example: dotnet run -c Release --project bench/SeqClassify.Bench -- run --dataset imdb --max-train 5000 --epochs 1
using SeqClassify.Bench;

string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

string shared = Path.GetFullPath(Option("--shared", FindShared()));
string datasets = Option("--datasets", Path.Combine(shared, "datasets"));
var dataset = BenchDataset.Get(Option("--dataset", "imdb"), datasets);
int epochs = int.Parse(Option("--epochs", "1"));
int maxTrain = int.Parse(Option("--max-train", "0"));
int threads = int.Parse(Option("--threads", "2"));
int minFrequency = int.Parse(Option("--min-freq", "10"));
int maxLength = int.Parse(Option("--max-len", "0"));
// Pretrained word vectors (.vec) for the SeqClassify runs; the references have no such option.
// The worker's MLContext seed (initialisation, dropout, shuffling), for runs that look at the spread over seeds.
int seed = int.Parse(Option("--seed", "5"));
string? pretrained = Option("--pretrained", "") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

switch (args.FirstOrDefault())
{
    case "worker":
        return Worker.Run(dataset, Option("--configuration", "reference"), epochs, maxTrain, threads, minFrequency, maxLength, pretrained, seed);
    case "pretrained":
        // Issue 21: fine-tune a Hugging Face folder as torch_bert_finetune.py does (--max-len: its 128 by default).
        return PretrainedWorker.Run(new PretrainedWorker.Settings(Path.GetFullPath(Option("--model", Path.Combine(shared, "models", "all-MiniLM-L6-v2"))),
            dataset, int.Parse(Option("--epochs", "3")), maxTrain, threads, seed, int.Parse(Option("--max-len", "128")),
            Option("--lr", "") is { Length: > 0 } lr ? double.Parse(lr, System.Globalization.CultureInfo.InvariantCulture) : null,
            Option("--pooling", "") is { Length: > 0 } pooling ? Enum.Parse<SeqClassify.Torch.SequencePooling>(pooling, ignoreCase: true) : null));
    case "onnx":
        // Issue 23: the engine against ONNX Runtime on the same exported model, ids and threads.
        return OnnxWorker.Run(shared, dataset, Option("--configuration", "default"), threads, maxTrain > 0 ? maxTrain : 2000);
    case "onnx-table":
        Console.WriteLine(OnnxWorker.Table(File.ReadLines(args[1]).Where(l => l.Length > 0).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!)));
        return 0;
    case "machine":
        // What a speed figure depends on, and the sgemm rates (also written at the top of every run's results).
        Console.WriteLine(MachineProfile.Measure(threads).ToMarkdown());
        Console.WriteLine();
        Console.WriteLine(MachineProfile.GemmPathTable(threads));
        return 0;
    case "allreduce":
        // Issue 12: the cost of one all-reduce of a training step's sizes between ranks on loopback.
        Console.WriteLine(MachineProfile.CpuModel());
        Console.WriteLine(AllReduceBench.Run(int.Parse(Option("--ranks", "2")), int.Parse(Option("--repetitions", "50"))));
        return 0;
    case "run":
        string name = $"{dataset.Name}-{(maxTrain > 0 ? maxTrain.ToString() : "full")}-e{epochs}{(maxLength > 0 ? $"-len{maxLength}" : "")}" +
            (pretrained is null ? "" : "-" + Path.GetFileNameWithoutExtension(pretrained));
        return Harness.Run(new Harness.Settings(dataset, shared, Option("--out", Path.Combine("bench", "results", name)), epochs, maxTrain, threads,
            minFrequency, Option("--configurations", "reference").Split(','), !args.Contains("--no-torch"), !args.Contains("--no-fasttext"), maxLength, pretrained,
            args.Contains("--busy-neighbour"), Option("--compare-worker", "") is { Length: > 0 } worker ? Path.GetFullPath(worker) : null,
            Option("--compare-name", "other build")));
    default:
        Console.Error.WriteLine("usage: seqclassify-bench run|worker|pretrained|onnx|machine|allreduce --dataset imdb|sst2 [--epochs N] [--max-train N] [--threads N] [--min-freq N] [--max-len N] [--pretrained VECTORS.vec] [--seed N (worker)] [--model HF-FOLDER --lr X --pooling mean|first (pretrained)] [--configuration default|transformer|minilm (onnx)] [--configurations reference,default] [--no-torch] [--no-fasttext] [--busy-neighbour] [--compare-worker OTHER/seqclassify-bench.dll --compare-name NAME] [--out PATH]");
        return 2;
}

static string FindShared() => Harness.FindRepositoryRoot() is { } root ? Path.Combine(root, "..", "shared") : "../shared";
