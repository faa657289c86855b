using System.Diagnostics;
using System.Globalization;
using System.Text;
using SeqClassify.Torch;

namespace SeqClassify.Bench;

/// <summary>
/// Issue 12, item 5: what one all-reduce of the sizes a training step sends costs between two ranks on
/// loopback (two threads of this process, each with its own group and connections, as two processes
/// would have), idle otherwise: the floor under the "collectives per step" of a distributed run, whose
/// remainder is waiting for the slower rank.
/// </summary>
internal static class AllReduceBench
{
    public static string Run(int ranks, int repetitions)
    {
        // A vocabulary's bytes (SST-2's default 14,270), the default model's non-embedding gradient
        // (177,154 floats) with a batch's touched rows, and its whole dense gradient (1,603,954 floats).
        (string What, int Floats)[] sizes =
        [
            ("8 bytes (a flag)", 2),
            ("14 KB (SST-2's touched-rows mask)", 14_270 / 4),
            ("0.8 MB (SST-2 step: dense part + 300 embedding rows)", 177_154 + 300 * 100),
            ("6.4 MB (SST-2's whole gradient, dense)", 1_603_954),
            ("24 MB (a dense gradient with a 58,000-word embedding)", 177_154 + 58_000 * 100),
        ];
        int port = DistributedOptions.FreeLoopbackPort();
        var medians = new double[ranks][];
        var fastest = new double[ranks][];
        Parallel.For(0, ranks, new ParallelOptions { MaxDegreeOfParallelism = ranks }, rank =>
        {
            using var group = new ProcessGroup(new DistributedOptions { MasterPort = port, WorldSize = ranks, Rank = rank, Timeout = TimeSpan.FromSeconds(60) });
            var timings = sizes.Select(size =>
            {
                var values = new float[size.Floats];
                var times = new List<double>();
                for (int i = 0; i < repetitions + 3; i++)
                {
                    group.Barrier();
                    var clock = Stopwatch.StartNew();
                    group.AllReduce(values, ReduceOperation.Sum);
                    if (i >= 3) times.Add(clock.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                return (Median: times[times.Count / 2], Fastest: times[0]);
            }).ToArray();
            medians[rank] = timings.Select(t => t.Median).ToArray();
            fastest[rank] = timings.Select(t => t.Fastest).ToArray();
        });
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"All-reduce (sum of float32) between {ranks} ranks on loopback, {repetitions} times each, each after a barrier (the slowest rank's figures):");
        table.AppendLine();
        table.AppendLine("| size | median ms | fastest ms | GB/s at the fastest |");
        table.AppendLine("|---|---|---|---|");
        for (int s = 0; s < sizes.Length; s++)
        {
            double median = medians.Max(m => m[s]), best = fastest.Max(m => m[s]);
            table.AppendLine(CultureInfo.InvariantCulture, $"| {sizes[s].What} | {median:F3} | {best:F3} | {sizes[s].Floats * 4.0 / (best / 1000) / 1e9:F2} |");
        }
        return table.ToString();
    }

}
