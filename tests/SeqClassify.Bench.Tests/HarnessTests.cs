namespace SeqClassify.Bench.Tests;

/// <summary>
/// Runs the benchmark harness once on a tiny slice (SST-2, 300 training rows, one epoch) with all
/// three implementations, so that it cannot rot. Nothing here is timed or compared for speed.
/// </summary>
[TestFixture]
public class HarnessTests
{
    [Test]
    public void HarnessRunsSeqClassifyPyTorchAndFastTextAndWritesItsResults()
    {
        string shared = RepositoryPaths.Shared;
        string output = Path.Combine(Path.GetTempPath(), "seqclassify-bench-test", Guid.NewGuid().ToString("N"), "sst2-tiny");
        var settings = new Harness.Settings(BenchDataset.Get("sst2", Path.Combine(shared, "datasets")), shared, output,
            Epochs: 1, MaxTrain: 300, Threads: 2, MinFrequency: 2, Configurations: ["reference"], Torch: true, FastText: true, BusyNeighbour: true);

        int code = Harness.Run(settings);

        Assert.That(File.Exists(output + ".md") && File.Exists(output + ".json"));
        var results = Harness.ReadResults(output + ".json");
        Assert.That(results.Keys, Is.EquivalentTo(new[]
        {
            "SeqClassify (reference)", "SeqClassify (reference) beside a busy process", "PyTorch (as installed)", Harness.BestTorchName,
            "fastText (full train split)",
        }));
        Assert.That(results.Values, Has.None.Null, File.ReadAllText(output + ".md"));
        Assert.That(code, Is.EqualTo(0));
        foreach (var key in new[] { "train_rows_per_s", "train_tokens_per_s", "predict_rows_per_s", "test_accuracy", "peak_rss_mb" })
        {
            Assert.That(results["SeqClassify (reference)"]![key]!.GetValue<double>(), Is.GreaterThan(0), key);
            Assert.That(results["PyTorch (as installed)"]![key]!.GetValue<double>(), Is.GreaterThan(0), key);
            Assert.That(results[Harness.BestTorchName]![key]!.GetValue<double>(), Is.GreaterThan(0), key);
        }
        Assert.That(results["PyTorch (as installed)"]!["flush_denormal"]!.GetValue<bool>(), Is.False);
        Assert.That(results[Harness.BestTorchName]!["flush_denormal"]!.GetValue<bool>(), Is.True);
        Assert.That(results["SeqClassify (reference)"]!["train_gflops"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That(results["SeqClassify (reference)"]!["gemm_path"]!.GetValue<string>(), Does.StartWith("engine kernels ("));
        Assert.That(results["SeqClassify (reference)"]!["train_rows"]!.GetValue<long>(), Is.EqualTo(300));
        Assert.That(results["fastText (full train split)"]!["test_accuracy"]!.GetValue<double>(), Is.InRange(0.5, 1.0));
        string markdown = File.ReadAllText(output + ".md");
        Assert.That(markdown, Does.Contain("| training rows/s |").And.Contain("/ PyTorch (as installed) |").And.Contain("/ PyTorch (best-configured) |")
            .And.Contain("Reproduce:").And.Contain("--busy-neighbour"));
        // What the speed depends on: CPU, vector extensions, kernels, denormal mode, sgemm rates.
        Assert.That(markdown, Does.Contain("CPU: ").And.Contain("Engine kernels: ")
            .And.Contain("flushes denormals: ").And.Contain("the machine's best: ").And.Contain("of the machine's best sgemm rate")
            .And.Contain("keeps ").And.Contain("of its training speed alone"));
        var machine = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(output + ".json"))!["machine_profile"]!;
        Assert.That(machine["sgemm_2048_engine_gflops"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That(machine["sgemm_2048_best_gflops"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(machine["sgemm_2048_engine_gflops"]!.GetValue<double>()));
        // Issue 32, item 5: which BLAS the reference ran on is said, and it is OpenBLAS (install-deps --reference), not netlib's.
        Assert.That(machine["reference_blas"]!.GetValue<string>(), Does.Contain("openblas"));
        Assert.That(markdown, Does.Contain("The PyTorch reference's BLAS: OpenBLAS ("));
    }
}
