using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SeqClassify.Torch;

namespace SeqClassify.Bench;

/// <summary>
/// What a speed figure depends on, recorded with every run (issue 10): the CPU and its vector
/// extensions, the engine's kernel set, the BLAS libtorch uses and the kernels it chose, whether
/// denormals are flushed, and the machine's best sgemm rate, which the training FLOP rate is
/// compared with.
/// </summary>
internal sealed record MachineProfile(string Cpu, string Isa, string EngineKernels, string Blas, bool? FlushesDenormals,
    double EngineSgemmGflops, double LibtorchSgemmGflops, int Threads, string? OpenBlasCoreType, double? OpenBlasSgemmGflops)
{
    /// <summary>Side of the square product whose rate is "the machine's sgemm peak".</summary>
    public const int SgemmSize = 2048;

    /// <summary>The fastest of the engine's kernels, libtorch's BLAS as loaded, and OpenBLAS with its best core type.</summary>
    public double BestSgemmGflops => Math.Max(Math.Max(EngineSgemmGflops, LibtorchSgemmGflops), OpenBlasSgemmGflops ?? 0);

    /// <summary>Measures; with probeOpenBlas, also OpenBLAS under each core type in python3-torch processes.</summary>
    public static MachineProfile Measure(int threads, bool probeOpenBlas = true)
    {
        int previous = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Threads = threads;
            var openBlas = probeOpenBlas ? BestOpenBlasCoreType(threads) : null;
            return new MachineProfile(CpuModel(), VectorExtensions(), TorchRuntime.Kernels, TorchRuntime.Blas, TorchRuntime.FloatMode.EngineFlushesDenormals,
                Math.Round(TorchRuntime.MeasureSgemm("engine", SgemmSize, 3), 1), Math.Round(TorchRuntime.MeasureSgemm("libtorch", SgemmSize, 3), 1), threads,
                openBlas?.CoreType, openBlas?.Gflops);
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }

    public JsonObject ToJson() => new()
    {
        ["cpu"] = Cpu, ["isa"] = Isa, ["engine_kernels"] = EngineKernels, ["blas"] = Blas, ["engine_flushes_denormals"] = FlushesDenormals,
        ["sgemm_threads"] = Threads, ["sgemm_2048_engine_gflops"] = EngineSgemmGflops, ["sgemm_2048_libtorch_gflops"] = LibtorchSgemmGflops,
        ["openblas_best_coretype"] = OpenBlasCoreType, ["sgemm_2048_openblas_best_gflops"] = OpenBlasSgemmGflops, ["sgemm_2048_best_gflops"] = BestSgemmGflops,
    };

    public string ToMarkdown() =>
        $"CPU: {Cpu} (vector extensions: {Isa}). Engine kernels: {EngineKernels}; libtorch's BLAS: {Blas}; the engine flushes denormals: " +
        $"{(FlushesDenormals is bool b ? (b ? "yes" : "no") : "n/a")}. sgemm {SgemmSize}³ on {Threads} threads: engine kernels " +
        $"{EngineSgemmGflops.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s, libtorch as loaded (its BLAS, one thread as the engine sets it) " +
        $"{LibtorchSgemmGflops.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s" +
        (OpenBlasCoreType is null ? "" : $", OpenBLAS with OPENBLAS_CORETYPE={OpenBlasCoreType} on {Threads} threads (python3-torch) {OpenBlasSgemmGflops?.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s") +
        $"; the machine's best: {BestSgemmGflops.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s.";

    public static string CpuModel() => CpuInfo("model name") ?? "unknown CPU";

    /// <summary>The vector extensions that choose kernels (engine and BLAS), as /proc/cpuinfo names them.</summary>
    public static string VectorExtensions()
    {
        var flags = (CpuInfo("flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        string[] relevant = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16"];
        var present = relevant.Where(flags.Contains).ToList();
        return present.Count > 0 ? string.Join(' ', present) : "none of avx2/avx512/amx";
    }

    private static string? CpuInfo(string key) => File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(key))?.Split(':', 2)[1].Trim()
        : null;

    /// <summary>
    /// The OPENBLAS_CORETYPE under which Debian's OpenBLAS multiplies fastest on this machine
    /// (sgemm 2048³ on `threads` threads), among the core types its kernels exist for and this CPU
    /// can run; null when there is no choice to make (no python3-torch, or no candidate runs).
    /// </summary>
    public static (string CoreType, double Gflops)? BestOpenBlasCoreType(int threads)
    {
        var flags = (CpuInfo("flags") ?? "").Split(' ').ToHashSet();
        var candidates = new List<string> { "Haswell", "Zen" };
        if (flags.Contains("avx512f")) candidates.Add("SkylakeX");
        if (flags.Contains("avx512_bf16")) candidates.Add("Cooperlake");
        (string, double)? best = null;
        foreach (var core in candidates)
        {
            double? rate = OpenBlasSgemm(core, threads);
            if (rate is double r && (best is null || r > best.Value.Item2)) best = (core, Math.Round(r, 1));
        }
        return best;
    }

    // One process per core type: OpenBLAS reads OPENBLAS_CORETYPE once, when it loads.
    private static double? OpenBlasSgemm(string coreType, int threads)
    {
        string probe =
            $"import ctypes,time,torch;n={SgemmSize};l=ctypes.CDLL('libopenblas.so.0');l.openblas_get_corename.restype=ctypes.c_char_p;" +
            "a=torch.randn(n,n);b=torch.randn(n,n);c=a@b;t=min((lambda s:(a@b,time.perf_counter()-s)[1])(time.perf_counter()) for _ in range(3));" +
            "print(l.openblas_get_corename().decode(),2*n**3/t/1e9)";
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", probe]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["OPENBLAS_CORETYPE"] = coreType;
        start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            var parts = output.Split(' ');
            // A core type OpenBLAS does not know falls back silently: count only one it reports back.
            return process.ExitCode == 0 && parts.Length == 2 && parts[0].Equals(coreType, StringComparison.OrdinalIgnoreCase)
                ? double.Parse(parts[1], CultureInfo.InvariantCulture)
                : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
