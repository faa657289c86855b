using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// Distributed training from the command line, as real processes on loopback: --nproc, and ranks
/// started one by one with --world-size/--rank/--master, as on several machines.
/// </summary>
[TestFixture]
public class DistributedCliTests
{
    /// <summary>A small model that trains quickly, without dropout (its masks are drawn per rank) so runs can be compared.</summary>
    private static string[] Train(string data, string model, params string[] more) =>
    [
        "train", "--pretrained", "none", "--train", data, "--no-header", "--text-column", "1", "--label-column", "0", "--hidden", "16", "--embedding-dim", "16",
        "--dropout", "0", "--embedding-dropout", "0", "--seed", "5", "--valid-fraction", "0.2", "--out", model, .. more,
    ];

    /// <summary>seqclassify as a process of its own, its output collected; <paramref name="onLine"/> sees each stdout line.</summary>
    private sealed class CliProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _out = new(), _error = new();

        public CliProcess(string[] args, Action<string>? onLine = null)
        {
            var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "seqclassify.dll"), .. args])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_out) _out.AppendLine(e.Data);
                onLine?.Invoke(e.Data);
            };
            _process.ErrorDataReceived += (_, e) => { lock (_error) _error.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public Cli.Result WaitForExit(TimeSpan within)
        {
            Assert.That(_process.WaitForExit(within), Is.True, $"exits within {within}");
            _process.WaitForExit();
            lock (_out) lock (_error) return new Cli.Result(_process.ExitCode, _out.ToString(), _error.ToString());
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }

    private static byte[] Parameters(string model) =>
        ((IEnumerable<ITransformer>)new MLContext().Model.Load(model, out _)).OfType<MLNet.Training.SequenceClassificationTransformer>().Single().Model.ExportParameters();

    [Test]
    public void TwoProcessesTrainTheModelOneProcessTrainsWithTheSameGlobalBatch()
    {
        string data = Cli.SmsSlice(everyNth: 6), directory = Cli.Scratch();
        string two = Path.Combine(directory, "two.zip"), one = Path.Combine(directory, "one.zip");

        var distributed = Cli.Run(Train(data, two, "--nproc", "2", "--batch-size", "16", "--epochs", "2"));
        var alone = Cli.Run(Train(data, one, "--batch-size", "32", "--epochs", "2", "--threads", "1"));

        Assert.That(distributed.ExitCode, Is.EqualTo(0), distributed.Error);
        Assert.That(alone.ExitCode, Is.EqualTo(0), alone.Error);
        // Rank 0 alone reports: one line per epoch, the rank's note, nothing relayed from rank 1.
        Assert.That(distributed.Out.Split('\n').Count(l => l.StartsWith("epoch 1/2")), Is.EqualTo(1), distributed.Out);
        Assert.That(distributed.Out, Does.Contain("rank 0 of 2: each step trains on 2 x 16 rows").And.Not.Contain("[rank 1]"));
        Assert.That(distributed.Error, Is.Empty);

        // Within 1e-5 of the largest value of each tensor, not bit for bit: the gradient of 32 rows is
        // summed in another order when it comes from two ranks of 16.
        var expected = TensorArchive.Read(Parameters(one)).ToDictionary(t => t.Name);
        foreach (var tensor in TensorArchive.Read(Parameters(two)))
        {
            var wanted = expected[tensor.Name].Floats!;
            float scale = Math.Max(1e-3f, wanted.Max(Math.Abs));
            Assert.That(tensor.Floats, Is.EqualTo(wanted).Within(1e-5f * scale), tensor.Name);
        }

        // The saved model loads and scores as the single-process one does.
        var twoMetrics = Cli.Run("evaluate", "--model", two, "--data", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0");
        var oneMetrics = Cli.Run("evaluate", "--model", one, "--data", Cli.SmsSpam, "--no-header", "--text-column", "1", "--label-column", "0");
        Assert.That(twoMetrics.ExitCode, Is.EqualTo(0), twoMetrics.Error);
        Assert.That(twoMetrics.Out, Is.EqualTo(oneMetrics.Out));
        Assert.That(Cli.Run("info", "--model", two).Out, Does.Contain("distributed:  2 ranks"));
    }

    [Test]
    public void CancellingTheLauncherStopsEveryRankAndRankZeroSavesTheBestModel()
    {
        string model = Path.Combine(Cli.Scratch(), "m.zip");

        // Cancelled once rank 0 reports its first epoch (relayed by the launcher): both ranks train by then.
        var result = Cli.RunAndCancelWhen(Train(Cli.SmsSlice(everyNth: 4), model, "--nproc", "2", "--epochs", "500", "--dist-timeout", "60"), "epoch 1/");

        Assert.That(result.ExitCode, Is.EqualTo(130), result.Out + result.Error);
        Assert.That(result.Error, Does.Contain("training cancelled: the best model so far").And.Contain(model));
        Assert.That(Cli.Run("info", "--model", model).Out, Does.Contain("cancelled").And.Contain("distributed:  2 ranks"));
    }

    /// <summary>
    /// KILL: rank 1 dies (its connections close, noticed at once). STOP: rank 1 hangs (its connections
    /// stay open; rank 0's all-reduce times out after --dist-timeout, 15 s here).
    /// </summary>
    [TestCase("KILL")]
    [TestCase("STOP")]
    public void ARankThatDiesOrHangsMakesTheOtherFailNamingItWithinTheTimeoutAndNoModelIsWritten(string signal)
    {
        string data = Cli.SmsSlice(everyNth: 4), directory = Cli.Scratch(), model = Path.Combine(directory, "m.zip");
        int port = DistributedOptions.FreeLoopbackPort();
        using var epochDone = new ManualResetEventSlim();
        string[] Rank(int rank) => Train(data, model, "--epochs", "500", "--threads", "1", "--world-size", "2", "--rank", rank.ToString(),
            "--master", $"127.0.0.1:{port}", "--dist-timeout", "15");
        using var rank0 = new CliProcess(Rank(0), line => { if (line.StartsWith("epoch 2/")) epochDone.Set(); });
        using var rank1 = new CliProcess(Rank(1));
        Assert.That(epochDone.Wait(TimeSpan.FromSeconds(120)), Is.True, "training runs on both ranks");
        var clock = Stopwatch.StartNew();

        Process.Start("kill", [$"-{signal}", rank1.Id.ToString()])!.WaitForExit();
        var result = rank0.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(signal == "KILL" ? 10 : 15 + 10)), "at once for a closed connection, else within --dist-timeout");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.Out);
        Assert.That(result.Error, Does.Contain("error: rank 0 of 2: a collective failed; rank 1 stopped answering"));
        Assert.That(Directory.GetFiles(directory), Is.Empty, "no model, whole or half-written");
    }

    [Test]
    public void RanksWithOtherVocabulariesAreRefusedAndNeitherWritesAModel()
    {
        string directory = Cli.Scratch(), model = Path.Combine(directory, "m.zip");
        int port = DistributedOptions.FreeLoopbackPort();
        string[] Rank(int rank) => Train(Cli.SmsSlice(everyNth: 4 + rank), model, "--epochs", "1", "--threads", "1", "--world-size", "2", "--rank", rank.ToString(),
            "--master", $"127.0.0.1:{port}", "--dist-timeout", "60");
        using var rank0 = new CliProcess(Rank(0));
        using var rank1 = new CliProcess(Rank(1));

        var results = new[] { rank0.WaitForExit(TimeSpan.FromSeconds(120)), rank1.WaitForExit(TimeSpan.FromSeconds(120)) };

        foreach (var result in results)
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Error, Does.Contain("error: The vocabulary differs between ranks: rank 1 has other vocabulary than rank 0"));
        }
        Assert.That(File.Exists(model), Is.False);
    }

    // Issue 29, item 10: an IPv6 master in brackets was reported as unresolvable; it is reached (and here, with no rank 0, not found).
    [Test]
    public void AnIpv6MasterInBracketsIsResolved()
    {
        var result = Cli.Run(Train(Cli.SmsSpam, Path.Combine(Cli.Scratch(), "m.zip"), "--world-size", "2", "--rank", "1", "--master", "[::1]:1", "--dist-timeout", "1"));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.Contain("could not reach rank 0's store at ::1:1").And.Not.Contain("cannot be resolved"));
    }

    [TestCase("--nproc 0", "--nproc must be between 1 and")]
    [TestCase("--nproc 2 --rank 0 --world-size 2", "--nproc launches its own ranks: give it alone")]
    [TestCase("--world-size 2", "--world-size and --rank go together")]
    [TestCase("--world-size 2 --rank 2", "Rank must be in [0, 2) for WorldSize 2, got 2")]
    [TestCase("--world-size 2 --rank 1 --master node0", "--master must be ADDRESS:PORT")]
    [TestCase("--dist-timeout 30", "--dist-timeout applies to distributed training")]
    [TestCase("--nproc 2 --dist-timeout 0", "--dist-timeout must be at least 1 second, got 0")]
    public void BadDistributedOptionsAreUsageErrorsBeforeAnyWork(string options, string message)
    {
        var result = Cli.Run(Train(Cli.SmsSpam, Path.Combine(Cli.Scratch(), "m.zip"), options.Split(' ')));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Out);
        Assert.That(result.Error, Does.Contain(message));
        Assert.That(result.Out, Does.Not.Contain("training on"), "refused before the data is read");
    }
}
