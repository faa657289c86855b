using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace SeqClassify.Bench;

/// <summary>
/// Runs SeqClassify (in a child process), ../shared/reference/torch_reference.py and
/// ../shared/reference/fasttext_reference.py on the same data in one run, and writes the figures
/// with their ratio to the PyTorch reference as Markdown and JSON, with the machine and the commands.
/// </summary>
internal static class Harness
{
    public sealed record Settings(BenchDataset Dataset, string Shared, string Output, int Epochs, int MaxTrain, int Threads,
        int MinFrequency, IReadOnlyList<string> Configurations, bool Torch, bool FastText, int MaxLength = 0, string? Pretrained = null,
        bool BusyNeighbour = false, string? CompareWorker = null, string CompareName = "other build");

    private sealed record Measurement(string Name, string Command, JsonObject? Result, string? Error, double WallSeconds);

    public static int Run(Settings s)
    {
        Console.Error.WriteLine("measuring the machine (sgemm rates, BLAS core types)");
        var machine = MachineProfile.Measure(s.Threads, probeOpenBlas: s.Torch);
        (string CoreType, double Gflops)? openBlas = machine.OpenBlasCoreType is { } bestCore ? (bestCore, machine.OpenBlasSgemmGflops ?? 0) : null;
        var measurements = new List<Measurement>();
        // The worker is this assembly, started through the dotnet host whatever process runs the
        // harness (the bench itself, or a test host).
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        string self = $"exec {typeof(Harness).Assembly.Location} ";
        foreach (var configuration in s.Configurations)
        {
            string workerArgs = $"worker --dataset {s.Dataset.Name} --datasets {Path.Combine(s.Shared, "datasets")} --configuration {configuration} " +
                          $"--epochs {s.Epochs} --max-train {s.MaxTrain} --threads {s.Threads} --min-freq {s.MinFrequency} --max-len {s.MaxLength}" +
                          (s.Pretrained is null ? "" : $" --pretrained {s.Pretrained}");
            string args = self + workerArgs;
            measurements.Add(Measure($"SeqClassify ({configuration})", dotnet, args, []));
            // Another build's worker (e.g. an earlier commit's engine) on the same data, in the same run.
            if (s.CompareWorker is not null) measurements.Add(Measure($"SeqClassify {s.CompareName} ({configuration})", dotnet, $"exec {s.CompareWorker} {workerArgs}", []));
            if (s.BusyNeighbour) measurements.Add(Measure($"SeqClassify ({configuration}) beside a busy process", dotnet, args, [], busyNeighbour: true));
        }
        string reference = Path.Combine(s.Shared, "reference");
        if (s.Torch)
        {
            // Transformer configurations compare with bench/reference/torch_transformer_reference.py (the same
            // pipeline with the tutorials' Transformer), the others with the shared GRU reference.
            bool transformer = s.Configurations.Any(c => SeqClassify.Bench.Configurations.Get(c).Encoder == SeqClassify.Torch.SequenceEncoder.Transformer);
            string script = transformer
                ? $"{Path.Combine(RepositoryRoot(), "bench", "reference", "torch_transformer_reference.py")} --reference-dir {reference}"
                : $"{Path.Combine(reference, "torch_reference.py")} --cell gru";
            string args = $"{script} --train {s.Dataset.Train} --test {s.Dataset.Test} --format {s.Dataset.Format} " +
                          Columns(s.Dataset) + $" --epochs {s.Epochs} --threads {s.Threads} " +
                          $"--min-freq {s.MinFrequency} --max-train {s.MaxTrain} --max-len {s.MaxLength}";
            // Twice: as a user gets it, and configured as well as it can be on this machine (issue 10).
            measurements.Add(Measure("PyTorch (as installed)", "/usr/bin/python3", args, [("OPENBLAS_NUM_THREADS", "1")]));
            (string, string)[] best = openBlas is { } core ? [("OPENBLAS_NUM_THREADS", "1"), ("OPENBLAS_CORETYPE", core.CoreType)] : [("OPENBLAS_NUM_THREADS", "1")];
            measurements.Add(Measure(BestTorchName, "/usr/bin/python3", args + " --flush-denormal", best));
        }
        if (s.FastText)
        {
            string args = $"{Path.Combine(reference, "fasttext_reference.py")} {s.Dataset.Train} {s.Dataset.Test} --format {s.Dataset.Format} " +
                          Columns(s.Dataset) + $" --threads {s.Threads}";
            measurements.Add(Measure("fastText (full train split)", "/usr/bin/python3", args, []));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(s.Output))!);
        File.WriteAllText(s.Output + ".json", Json(s, machine, openBlas, measurements).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        string markdown = Markdown(s, machine, openBlas, measurements);
        File.WriteAllText(s.Output + ".md", markdown);
        Console.WriteLine(markdown);
        return measurements.Any(m => m.Result is null) ? 1 : 0;
    }

    /// <summary>The checkout this assembly was built in (the folder holding SeqClassify.sln), or null.</summary>
    public static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SeqClassify.sln"))) return dir.FullName;
        }
        return null;
    }

    private static string RepositoryRoot() => FindRepositoryRoot()
        ?? throw new DirectoryNotFoundException($"no SeqClassify.sln above {AppContext.BaseDirectory}: run the bench from its checkout");

    /// <summary>The name of the PyTorch run with --flush-denormal and the fastest OPENBLAS_CORETYPE.</summary>
    public const string BestTorchName = "PyTorch (best-configured)";

    /// <summary>The runs' results by name, as written to the JSON file (for tests and tools).</summary>
    public static IReadOnlyDictionary<string, JsonObject?> ReadResults(string jsonPath)
    {
        var root = JsonNode.Parse(File.ReadAllText(jsonPath))!.AsObject();
        return root["runs"]!.AsArray().ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!["result"] as JsonObject);
    }

    // agnews files have no header: the references know their columns by format.
    private static string Columns(BenchDataset d) => d.Format == "agnews" ? "" : $"--text-col {d.TextColumn} --label-col {d.LabelColumn}";

    // busyNeighbour: a CPU-bound process (a shell loop) runs beside the measurement, from its start to its end.
    private static Measurement Measure(string name, string program, string args, (string, string)[] environment, bool busyNeighbour = false)
    {
        string command = string.Join(' ', environment.Select(e => $"{e.Item1}={e.Item2}")) + (environment.Length > 0 ? " " : "") + $"{program} {args}";
        if (busyNeighbour) command = $"sh -c 'while :; do :; done' & {command}; kill %1";
        Console.Error.WriteLine($"running {name}: {command}");
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var neighbour = busyNeighbour ? Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"])) : null;
        var clock = Stopwatch.StartNew();
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string? last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (process.ExitCode != 0 || last is null)
            {
                return new Measurement(name, command, null, $"exit {process.ExitCode}: {stderr.Result.Trim().Split('\n').LastOrDefault()}", clock.Elapsed.TotalSeconds);
            }
            return new Measurement(name, command, JsonNode.Parse(last)!.AsObject(), null, clock.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or System.Text.Json.JsonException)
        {
            return new Measurement(name, command, null, e.Message, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            neighbour?.Kill();
        }
    }

    private static readonly (string Key, string Label, bool HigherIsBetter)[] Figures =
    [
        ("train_rows_per_s", "training rows/s", true),
        ("train_tokens_per_s", "training tokens/s", true),
        ("train_gflops", "training GFLOP/s (the encoder's matrix products, forward + backward)", true),
        ("predict_rows_per_s", "batch prediction rows/s", true),
        ("single_p50_ms", "single-text latency p50 (ms, 50 tokens, 1 thread)", false),
        ("single_p99_ms", "single-text latency p99 (ms)", false),
        ("peak_rss_mb", "peak RSS (MB)", false),
        ("test_accuracy", "test accuracy", true),
        ("train_s", "training seconds", false),
    ];

    private static string Markdown(Settings s, MachineProfile machine, (string CoreType, double Gflops)? openBlas, List<Measurement> measurements)
    {
        var ours = measurements.Where(m => m.Name.StartsWith("SeqClassify")).ToList();
        var references = measurements.Where(m => m.Name.StartsWith("PyTorch") && m.Result is not null).ToList();
        var ratios = (from o in ours from r in references select (Ours: o, Reference: r)).ToList();
        var md = new StringBuilder();
        md.AppendLine($"# Benchmark: {s.Dataset.Name}, {(s.MaxTrain > 0 ? $"first {s.MaxTrain:N0} training rows" : "full training split")}, {s.Epochs} epoch(s), {s.Threads} threads{(s.MaxLength > 0 ? $", texts cut to {s.MaxLength} tokens" : "")}");
        md.AppendLine();
        md.AppendLine($"Machine: {Machine()}. Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Test rows: the whole test split.");
        md.AppendLine();
        md.AppendLine(machine.ToMarkdown());
        if (openBlas is { } core)
        {
            md.AppendLine($"The best-configured PyTorch runs with OPENBLAS_CORETYPE={core.CoreType}, the fastest core type for sgemm here.");
        }
        md.AppendLine();
        md.Append("| figure |");
        foreach (var m in measurements) md.Append($" {m.Name} |");
        foreach (var (o, r) in ratios) md.Append($" {o.Name} / {r.Name} |");
        md.AppendLine();
        md.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", 1 + measurements.Count + ratios.Count)));
        foreach (var (key, label, _) in Figures)
        {
            md.Append($"| {label} |");
            foreach (var m in measurements) md.Append($" {Value(m.Result, key)} |");
            foreach (var (o, r) in ratios)
            {
                double? a = Number(o.Result, key), b = Number(r.Result, key);
                md.Append(key.StartsWith("test_")
                    ? $" {(a is double x && b is double y ? ((x - y) * 100).ToString("+0.00;-0.00", CultureInfo.InvariantCulture) + " points" : "-")} |"
                    : $" {(a is double x2 && b is double y2 && y2 != 0 ? (x2 / y2).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-")} |");
            }
            md.AppendLine();
        }
        md.AppendLine();
        foreach (var m in ours.Where(m => Number(m.Result, "train_gflops") is not null))
        {
            md.AppendLine($"- {m.Name}: training runs at {100 * Number(m.Result, "train_gflops")!.Value / machine.BestSgemmGflops:F0}% of the machine's best sgemm rate.");
        }
        var unloaded = ours.Where(m => !m.Name.EndsWith("beside a busy process")).ToList();
        foreach (var loaded in ours.Where(m => m.Name.EndsWith("beside a busy process")))
        {
            var alone = unloaded.FirstOrDefault(m => loaded.Name.StartsWith(m.Name));
            if (Number(loaded.Result, "train_rows_per_s") is double l && Number(alone?.Result, "train_rows_per_s") is double u)
            {
                md.AppendLine($"- {loaded.Name}: keeps {100 * l / u:F0}% of its training speed alone.");
            }
        }
        foreach (var m in measurements.Where(m => m.Error is not null)) md.AppendLine($"- {m.Name} failed: {m.Error}");
        md.AppendLine();
        md.AppendLine("Commands (each run in its own process, one after another):");
        md.AppendLine();
        foreach (var m in measurements) md.AppendLine($"- {m.Name} ({m.WallSeconds:F0} s wall): `{m.Command}`");
        md.AppendLine();
        md.AppendLine("Reproduce: `" + ReproduceCommand(s) + "`");
        return md.ToString();
    }

    public static string ReproduceCommand(Settings s) =>
        $"dotnet run -c Release --project bench/SeqClassify.Bench -- run --dataset {s.Dataset.Name} --epochs {s.Epochs} --max-train {s.MaxTrain} " +
        $"--threads {s.Threads} --min-freq {s.MinFrequency} --max-len {s.MaxLength} --configurations {string.Join(',', s.Configurations)}" +
        (s.Pretrained is null ? "" : $" --pretrained {s.Pretrained}") + (s.Torch ? "" : " --no-torch") + (s.FastText ? "" : " --no-fasttext") + (s.BusyNeighbour ? " --busy-neighbour" : "");

    private static JsonObject Json(Settings s, MachineProfile machine, (string CoreType, double Gflops)? openBlas, List<Measurement> measurements) => new()
    {
        ["machine_profile"] = machine.ToJson(),
        ["openblas_best_coretype"] = openBlas?.CoreType,
        ["dataset"] = s.Dataset.Name,
        ["epochs"] = s.Epochs,
        ["max_train"] = s.MaxTrain,
        ["threads"] = s.Threads,
        ["machine"] = Machine(),
        ["date_utc"] = DateTime.UtcNow.ToString("O"),
        ["reproduce"] = ReproduceCommand(s),
        ["runs"] = new JsonArray(measurements.Select(m => (JsonNode?)new JsonObject
        {
            ["name"] = m.Name, ["command"] = m.Command, ["wall_s"] = Math.Round(m.WallSeconds, 1), ["error"] = m.Error, ["result"] = m.Result?.DeepClone(),
        }).ToArray()),
    };

    private static string Value(JsonObject? result, string key) => Number(result, key) is double v
        ? (key.StartsWith("test_") ? v.ToString("F4", CultureInfo.InvariantCulture) : v.ToString(v >= 100 ? "N0" : "0.###", CultureInfo.InvariantCulture))
        : "-";

    private static double? Number(JsonObject? result, string key) =>
        result?[key] is JsonValue v && v.TryGetValue(out double d) && !double.IsNaN(d) ? d : null;

    private static string Machine()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
        double memory = File.Exists("/proc/meminfo")
            ? double.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024 / 1024
            : double.NaN;
        return $"{Environment.ProcessorCount} cores ({cpu}), {memory:F0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }
}
