using System.Text;
using SeqClassify.Torch.Interop;

namespace SeqClassify.Torch;

/// <summary>Process-wide engine settings.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// The engine's thread count, the calling thread included (default: the machine's logical
    /// cores). Every parallel part of a step runs on the engine's own pool, whose idle threads sleep
    /// after a few microseconds instead of spinning, and whose work is taken piece by piece, so that
    /// a busy neighbour on one core slows training by about its share of the CPU, not by the
    /// two thirds OpenMP's barriers cost. Results do not depend on the thread count.
    /// </summary>
    public static int Threads
    {
        get
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_get_threads(out int threads));
            return threads;
        }
        set
        {
            CheckThreads(value, nameof(Threads));
            NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_set_threads(value));
        }
    }

    /// <summary>
    /// The most threads the engine accepts: 4 per logical core. More only adds switching (a
    /// request for 10,000 once started 28,000 threads and never finished a batch).
    /// </summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a thread count outside [1, <see cref="MaxThreads"/>], naming the option.</summary>
    public static void CheckThreads(int threads, string optionName)
    {
        if (threads < 1 || threads > MaxThreads)
        {
            throw new ArgumentOutOfRangeException(optionName, threads,
                $"{optionName} must be between 1 and {MaxThreads} (4 per logical core; this machine has {Environment.ProcessorCount}), got {threads}.");
        }
    }

    /// <summary>
    /// The floating-point mode as the engine sees it. <c>CallerMode</c>: the calling thread's control
    /// word now (MXCSR on x86-64, 0 elsewhere), which engine calls leave as they found it.
    /// <c>EngineFlushesDenormals</c>: whether engine calls flush denormal floats to zero (FTZ and DAZ)
    /// on their own thread and the engine's pool threads; null where the engine leaves the mode alone
    /// (not x86-64). Values below about 1.2e-38 then become 0 in the engine's math, which on Intel
    /// CPUs avoids a microcode assist per denormal.
    /// </summary>
    public static (uint CallerMode, bool? EngineFlushesDenormals) FloatMode
    {
        get
        {
            NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_float_mode(out uint caller, out int flushes));
            return (caller, flushes < 0 ? null : flushes == 1);
        }
    }

    /// <summary>The native engine's version, e.g. "2.0.0".</summary>
    public static unsafe string EngineVersion => ReadText(static (buffer, capacity) => NativeMethods.sc_runtime_engine_version(buffer, capacity));

    /// <summary>
    /// The engine's kernel sets this CPU can run, best first: "avx512", "avx2", "baseline" (SSE2).
    /// The engine picks the best from the CPU's feature flags.
    /// </summary>
    public static unsafe IReadOnlyList<string> KernelSets =>
        ReadText(static (buffer, capacity) => NativeMethods.sc_runtime_kernel_sets(buffer, capacity)).Split(',');

    /// <summary>
    /// The kernel set in use (one of <see cref="KernelSets"/>). Setting it is for tests and
    /// benchmarks that compare the sets; a name not in <see cref="KernelSets"/> is refused.
    /// </summary>
    public static unsafe string Kernels
    {
        get => ReadText(static (buffer, capacity) => NativeMethods.sc_runtime_kernels(buffer, capacity));
        set => NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_select_kernels(value));
    }

    /// <summary>
    /// Measures [m, k] x [k, n] single-precision products, best of <paramref name="repeats"/>, in
    /// GFLOP/s, on the engine's kernels and <see cref="Threads"/> threads, the right operand packed
    /// once beforehand (as a layer packs a weight once per batch). For benchmarks.
    /// </summary>
    public static double MeasureSgemm(int m, int n, int k, int repeats)
    {
        NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_measure_sgemm(m, n, k, repeats, out double gflops));
        return gflops;
    }

    /// <summary>
    /// Returns the engine's cached batch memory to the system (the engine keeps freed batch buffers for
    /// the next batch); blocks in use are untouched. Returns the bytes freed. The trainer calls it when
    /// a training run ends, so that prediction's memory does not add to training's cache.
    /// </summary>
    public static long ReleaseCachedMemory()
    {
        NativeStatus.ThrowIfFailed(NativeMethods.sc_runtime_release_memory(out long bytes));
        return bytes;
    }

    private unsafe delegate NativeStatusCode TextExport(byte* buffer, int capacity);

    private static unsafe string ReadText(TextExport export)
    {
        const int Capacity = 256;
        byte* buffer = stackalloc byte[Capacity];
        NativeStatus.ThrowIfFailed(export(buffer, Capacity));
        var text = new ReadOnlySpan<byte>(buffer, Capacity);
        return Encoding.UTF8.GetString(text[..text.IndexOf((byte)0)]);
    }
}
