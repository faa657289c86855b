using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SeqClassify.Torch;

namespace SeqClassify.Bench;

/// <summary>
/// What a speed figure depends on, recorded with every run (issue 10): the CPU and its vector
/// extensions, the engine's kernel set, whether denormals are flushed, and the machine's best sgemm
/// rate (the engine's, OpenBLAS's and oneDNN's), which the training FLOP rate is compared with.
/// </summary>
internal sealed record MachineProfile(string Cpu, string Isa, string EngineKernels, bool? FlushesDenormals,
    double EngineSgemmGflops, int Threads, string? OpenBlasCoreType, double? OpenBlasSgemmGflops,
    double? OneDnnSgemmGflops, string? ReferenceBlas = null)
{
    /// <summary>Side of the square product whose rate is "the machine's sgemm peak".</summary>
    public const int SgemmSize = 2048;

    /// <summary>The fastest of the engine's kernels, OpenBLAS with its best core type, and oneDNN.</summary>
    public double BestSgemmGflops => new[] { EngineSgemmGflops, OpenBlasSgemmGflops ?? 0, OneDnnSgemmGflops ?? 0 }.Max();

    /// <summary>Measures; with probeOpenBlas, also OpenBLAS under each core type in python3-torch processes.</summary>
    public static MachineProfile Measure(int threads, bool probeOpenBlas = true)
    {
        int previous = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Threads = threads;
            string? referenceBlas = probeOpenBlas ? ReferenceBlasLibrary() : null;
            // Core types choose OpenBLAS's kernels: they mean nothing to another BLAS.
            var openBlas = probeOpenBlas && referenceBlas?.Contains("openblas", StringComparison.OrdinalIgnoreCase) == true ? BestOpenBlasCoreType(threads) : null;
            double? oneDnn = probeOpenBlas ? OneDnnSgemm(SgemmSize, SgemmSize, SgemmSize, threads) : null;
            return new MachineProfile(CpuModel(), VectorExtensions(), TorchRuntime.Kernels, TorchRuntime.FloatMode.EngineFlushesDenormals,
                Math.Round(TorchRuntime.MeasureSgemm(SgemmSize, SgemmSize, SgemmSize, 3), 1), threads,
                openBlas?.CoreType, openBlas?.Gflops, oneDnn is double d ? Math.Round(d, 1) : null, referenceBlas);
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }

    public JsonObject ToJson() => new()
    {
        ["cpu"] = Cpu, ["isa"] = Isa, ["engine_kernels"] = EngineKernels, ["engine_flushes_denormals"] = FlushesDenormals,
        ["sgemm_threads"] = Threads, ["sgemm_2048_engine_gflops"] = EngineSgemmGflops,
        ["openblas_best_coretype"] = OpenBlasCoreType, ["sgemm_2048_openblas_best_gflops"] = OpenBlasSgemmGflops,
        ["sgemm_2048_onednn_gflops"] = OneDnnSgemmGflops, ["sgemm_2048_best_gflops"] = BestSgemmGflops,
        ["reference_blas"] = ReferenceBlas,
    };

    public string ToMarkdown() =>
        $"CPU: {Cpu} (vector extensions: {Isa}). Engine kernels: {EngineKernels}; the engine flushes denormals: " +
        $"{(FlushesDenormals is bool b ? (b ? "yes" : "no") : "n/a")}. sgemm {SgemmSize}³ on {Threads} threads: engine kernels " +
        $"{EngineSgemmGflops.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s" +
        (OpenBlasCoreType is null ? "" : $", OpenBLAS with OPENBLAS_CORETYPE={OpenBlasCoreType} on {Threads} threads (python3-torch) {OpenBlasSgemmGflops?.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s") +
        (OneDnnSgemmGflops is null ? "" : $", oneDNN's dnnl_sgemm (libdnnl.so.2) on {Threads} threads {OneDnnSgemmGflops?.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s") +
        $"; the machine's best: {BestSgemmGflops.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s." +
        (ReferenceBlas is null ? "" : $" The PyTorch reference's BLAS: {DescribeBlas(ReferenceBlas)}.");

    // A library path as the kind of BLAS it is: OpenBLAS, or Debian's reference (netlib) BLAS, which is not best-configured.
    private static string DescribeBlas(string path) =>
        path.Contains("openblas", StringComparison.OrdinalIgnoreCase) ? $"OpenBLAS ({path})"
        : path.Contains("/blas/", StringComparison.Ordinal) ? $"the reference netlib BLAS ({path}): NOT best-configured (scripts/install-deps.sh --reference installs libopenblas0-pthread)"
        : path;

    /// <summary>
    /// The BLAS library python3-torch's matrix products run on here (what libblas.so.3 resolves to, read
    /// from the probe's own memory map after a product), or null without python3-torch.
    /// </summary>
    public static string? ReferenceBlasLibrary() => RunPython(
        "import os,torch;torch.ones(64,64)@torch.ones(64,64);" +
        "print(','.join(sorted({os.path.realpath(l.split()[-1]) for l in open('/proc/self/maps') if 'blas' in l.lower() and l.split()[-1].startswith('/')})))") is { Length: > 0 } found
        ? found : null;

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

    /// <summary>
    /// The fused layer's products on each path, for choosing by measurement (issue 10): the square
    /// peak, the recurrence's per-step products (an 8-row block times W_hh^T and times W_hh), the
    /// input projection of a batch and a weight gradient, at the reference model's sizes (E 100, H 128).
    /// </summary>
    public static string GemmPathTable(int threads)
    {
        (string Name, int M, int N, int K)[] shapes =
        [
            ("square 2048", 2048, 2048, 2048), ("step forward: 8 rows x W_hh^T", 8, 384, 128), ("step backward: 8 rows x W_hh", 8, 128, 384),
            ("input projection, 8,000 tokens", 8000, 384, 100), ("weight gradient dW_hh, 8,000 tokens", 384, 128, 8000),
        ];
        int previous = TorchRuntime.Threads;
        var md = new System.Text.StringBuilder();
        md.AppendLine($"| product [m, k] x [k, n] | m, n, k | engine kernels ({TorchRuntime.Kernels}), {threads} threads | oneDNN dnnl_sgemm, 1 thread | oneDNN, {threads} threads |");
        md.AppendLine("|---|---|---|---|---|");
        try
        {
            TorchRuntime.Threads = threads;
            foreach (var (name, m, n, k) in shapes)
            {
                string Rate(double? gflops) => gflops is double g ? g.ToString("F0", CultureInfo.InvariantCulture) : "-";
                md.AppendLine($"| {name} | {m}, {n}, {k} | {Rate(TorchRuntime.MeasureSgemm(m, n, k, 5))} | " +
                              $"{Rate(OneDnnSgemm(m, n, k, 1))} | {Rate(OneDnnSgemm(m, n, k, threads))} |");
            }
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
        return md.ToString();
    }

    // oneDNN's sgemm through python's ctypes (libdnnl.so.2 is libtorch's own dependency in Debian);
    // null where it cannot be loaded. Best of 5 runs of enough calls to read the clock.
    private static double? OneDnnSgemm(int m, int n, int k, int threads)
    {
        string probe =
            "import ctypes,time,torch;l=ctypes.CDLL('libdnnl.so.2');f=l.dnnl_sgemm;i=ctypes.c_int64;p=ctypes.c_void_p;c_=ctypes.c_float;" +
            "f.argtypes=[ctypes.c_char,ctypes.c_char,i,i,i,c_,p,i,p,i,c_,p,i];" +
            $"m,n,k={m},{n},{k};a=torch.randn(m,k);b=torch.randn(k,n);c=torch.empty(m,n);" +
            "g=lambda:f(b'N',b'N',m,n,k,1.0,a.data_ptr(),k,b.data_ptr(),n,0.0,c.data_ptr(),n);g();" +
            "r=max(1,int(2e8/(2*m*n*k)));t=min((lambda s:([g() for _ in range(r)],time.perf_counter()-s)[1])(time.perf_counter()) for _ in range(5));" +
            "print(2*m*n*k*r/t/1e9)";
        return double.TryParse(RunPython(probe, ("OMP_NUM_THREADS", threads.ToString(CultureInfo.InvariantCulture))), CultureInfo.InvariantCulture,
            out double rate) ? rate : null;
    }

    // One process per core type: OpenBLAS reads OPENBLAS_CORETYPE once, when it loads.
    private static double? OpenBlasSgemm(string coreType, int threads)
    {
        string probe =
            $"import ctypes,time,torch;n={SgemmSize};l=ctypes.CDLL('libopenblas.so.0');l.openblas_get_corename.restype=ctypes.c_char_p;" +
            "a=torch.randn(n,n);b=torch.randn(n,n);c=a@b;t=min((lambda s:(a@b,time.perf_counter()-s)[1])(time.perf_counter()) for _ in range(3));" +
            "print(l.openblas_get_corename().decode(),2*n**3/t/1e9)";
        var parts = RunPython(probe, ("OPENBLAS_CORETYPE", coreType), ("OPENBLAS_NUM_THREADS", threads.ToString(CultureInfo.InvariantCulture)))?.Split(' ');
        // A core type OpenBLAS does not know falls back silently: count only one it reports back.
        return parts is [var reported, var rate] && reported.Equals(coreType, StringComparison.OrdinalIgnoreCase)
            ? double.Parse(rate, CultureInfo.InvariantCulture)
            : null;
    }

    // Debian's python3 (with python3-torch) runs a probe; its trimmed output, or null if it could not run or failed.
    private static string? RunPython(string code, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", code]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        try
        {
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();  // drained, so that a chatty probe cannot block on a full pipe
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            errors.Wait();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
