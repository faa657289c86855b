using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// Data-parallel replicas over Gloo on loopback, two ranks as two threads of this process (each
/// with its own group and model, as two processes would have): the ranks start identical, train on
/// halves of a batch, and end with the parameters one model gets from the whole batch.
/// </summary>
[TestFixture]
public class DistributedTests
{

    private static DistributedOptions Loopback(int port, int worldSize, int rank, double timeoutSeconds = 30) =>
        new() { MasterAddress = "127.0.0.1", MasterPort = port, WorldSize = worldSize, Rank = rank, Timeout = TimeSpan.FromSeconds(timeoutSeconds) };

    /// <summary>Runs each rank's body on its own thread (its own group, as its own process would), and returns their results.</summary>
    private static T[] OnRanks<T>(int worldSize, Func<ProcessGroup, T> body, double timeoutSeconds = 30)
    {
        int port = DistributedOptions.FreeLoopbackPort();
        var results = new T[worldSize];
        Parallel.For(0, worldSize, new ParallelOptions { MaxDegreeOfParallelism = worldSize }, rank =>
        {
            using var group = new ProcessGroup(Loopback(port, worldSize, rank, timeoutSeconds));
            results[rank] = body(group);
        });
        return results;
    }

    [Test]
    public void ThisBuildHasGloo() => Assert.That(ProcessGroup.IsAvailable, "the Gloo plugin is built with libgloo-dev (scripts/install-deps.sh) and loads");

    [TestCase(SequenceEncoder.Rnn)]
    [TestCase(SequenceEncoder.Transformer)]
    public void TwoRanksOnHalfBatchesMatchOneModelOnTheWholeBatch(SequenceEncoder encoder)
    {
        var options = TestModels.TokenOptions(RnnCellType.Gru, bidirectional: true, pooling: SequencePooling.Mean);
        options.Encoder = encoder;
        options.Heads = 2;
        options.FeedForwardSize = 16;
        options.TransformerDropout = 0;
        options.GradientClipNorm = 0.5f;

        var sequences = TestModels.RandomSequences(5, 7, 3, 6, 2, 4, 7, 1);
        long[] labels = [0, 1, 2, 1, 0, 2, 2, 1];
        int port = DistributedOptions.FreeLoopbackPort();
        var replicas = new byte[2][];
        var identical = new bool[2];

        // Created one after the other: a model's seed seeds libtorch's process-wide generator.
        // Different initial weights: joining makes them rank 0's.
        var models = Enumerable.Range(0, 2).Select(rank =>
        {
            var own = options.Clone();
            own.Seed = 100 + rank;
            return new SequenceClassifierModel(own);
        }).ToArray();

        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, rank =>
        {
            using var group = new ProcessGroup(Loopback(port, 2, rank));
            using var model = models[rank];
            model.JoinProcessGroup(group);
            for (int step = 0; step < 3; step++)
            {
                var rows = Enumerable.Range(rank * 4, 4).ToArray();
                model.TrainStep(TestModels.Batch(rows.Select(r => sequences[r])), rows.Select(r => labels[r]).ToArray(), 0.01);
            }
            identical[rank] = model.ReplicasIdentical();
            replicas[rank] = model.ExportParameters();
        });

        var single = options.Clone();
        single.Seed = 100;
        using var alone = new SequenceClassifierModel(single);
        for (int step = 0; step < 3; step++) alone.TrainStep(TestModels.Batch(sequences), labels, 0.01);

        Assert.That(identical, Is.All.True, "the replicas' checksums agree");
        Assert.That(replicas[1], Is.EqualTo(replicas[0]), "bit-identical replicas");
        var expected = TensorArchive.Read(alone.ExportParameters()).ToDictionary(t => t.Name);
        foreach (var tensor in TensorArchive.Read(replicas[0]))
        {
            var (actual, wanted) = (tensor.Floats!, expected[tensor.Name].Floats!);
            if (tensor.Name.EndsWith("self_attn.in_proj_bias"))
            {
                // Attention's key bias (the middle third) has a zero gradient in exact arithmetic
                // (softmax ignores a shift), so its computed gradient is rounding noise that depends on
                // the summation order, and Adam turns noise into steps: compare the rest.
                int width = actual.Length / 3;
                (actual, wanted) = ([.. actual[..width], .. actual[(2 * width)..]], [.. wanted[..width], .. wanted[(2 * width)..]]);
            }
            Assert.That(actual, Is.EqualTo(wanted).Within(1e-5f), tensor.Name);
        }
    }

    [Test]
    public void UnevenShardsAndARankWithoutRowsMatchOneModelOnTheWholeBatch()
    {
        // Rows weigh alike whichever rank holds them (the ranks' means weighted by their rows), so
        // 6 + 2 rows, then 3 + 0, train as one model on 8, then on 3. Class weights too: a rank's
        // mean is then weighted by its labels' weights, PyTorch's own denominator.
        var options = TestModels.TokenOptions(RnnCellType.Lstm, bidirectional: false, pooling: SequencePooling.Max);
        options.ClassWeights = [1f, 2.5f, 0.5f];
        var sequences = TestModels.RandomSequences(5, 7, 3, 6, 2, 4, 7, 1);
        long[] labels = [0, 1, 2, 1, 0, 2, 2, 1];
        int[][][] shards = [[[0, 1, 2, 3, 4, 5], [6, 7]], [[0, 1, 2], []]];
        var models = Enumerable.Range(0, 2).Select(_ => new SequenceClassifierModel(options.Clone())).ToArray();

        var replicas = OnRanks(2, group =>
        {
            using var model = models[group.Rank];
            model.JoinProcessGroup(group);
            var results = shards.Select(step => step[group.Rank] is { Length: > 0 } rows
                ? model.TrainStep(TestModels.Batch(rows.Select(r => sequences[r])), rows.Select(r => labels[r]).ToArray(), 0.01)
                : model.TrainStepWithoutRows(0.01)).ToArray();
            return (Results: results, Parameters: model.ExportParameters());
        });

        using var alone = new SequenceClassifierModel(options.Clone());
        var expectedResults = shards.Select(step => step.SelectMany(r => r).ToArray())
            .Select(rows => alone.TrainStep(TestModels.Batch(rows.Select(r => sequences[r])), rows.Select(r => labels[r]).ToArray(), 0.01)).ToArray();

        Assert.That(replicas[1].Parameters, Is.EqualTo(replicas[0].Parameters), "bit-identical replicas");
        for (int step = 0; step < shards.Length; step++)
        {
            var (got, wanted) = (replicas[0].Results[step], expectedResults[step]);
            Assert.That(replicas[1].Results[step], Is.EqualTo(got), "every rank reports the step over all ranks' rows");
            Assert.That((got.Rows, got.Correct), Is.EqualTo((wanted.Rows, wanted.Correct)), $"step {step}");
            Assert.That(got.Loss, Is.EqualTo(wanted.Loss).Within(1e-5), $"step {step}");
        }
        var expected = TensorArchive.Read(alone.ExportParameters()).ToDictionary(t => t.Name);
        foreach (var tensor in TensorArchive.Read(replicas[0].Parameters))
        {
            Assert.That(tensor.Floats, Is.EqualTo(expected[tensor.Name].Floats).Within(1e-5f), tensor.Name);
        }
    }

    [Test]
    public void OfTheEmbeddingOnlyTheRowsSomeRankTouchedAreSent()
    {
        // Rank 0's batch holds ids 2 and 3, rank 1's 3 and 4 (equal lengths: no padding id): rows 2, 3
        // and 4 of the 30 travel, after a byte per vocabulary entry that finds them.
        var options = TestModels.TokenOptions(RnnCellType.Gru, bidirectional: false, pooling: SequencePooling.Last);
        long[][][] batches = [[[2, 3, 2]], [[3, 4, 4]]];
        var models = Enumerable.Range(0, 2).Select(_ => new SequenceClassifierModel(options.Clone())).ToArray();

        var sent = OnRanks(2, group =>
        {
            using var model = models[group.Rank];
            model.JoinProcessGroup(group);
            long before = group.Statistics.Bytes;
            model.TrainStep(TestModels.Batch(batches[group.Rank]), [group.Rank], 0.01);
            return (Bytes: group.Statistics.Bytes - before, model.ParameterCount);
        });

        long embedding = (long)TestModels.Vocabulary * options.InputSize;
        long expected = TestModels.Vocabulary + sizeof(float) * (sent[0].ParameterCount - embedding + 3 * options.InputSize + 4);
        Assert.That(sent.Select(s => s.Bytes), Is.All.EqualTo(expected));
    }

    [Test]
    public void AStepWithoutRowsOutsideAGroupIsRefused()
    {
        using var model = new SequenceClassifierModel(TestModels.TokenOptions(RnnCellType.Gru, bidirectional: false, pooling: SequencePooling.Last));
        Assert.That(() => model.TrainStepWithoutRows(0.01), Throws.ArgumentException.With.Message.Contains("batch is null"));
    }

    [Test]
    public void AllReduceCombinesEveryRanksValuesAndCountsItsCollectives()
    {
        var results = OnRanks(3, group =>
        {
            long[] sums = [group.Rank, 10 * group.Rank + 1];
            double[] minimums = [0.5 * group.Rank - 1];
            float[] maximums = [group.Rank == 1 ? 7f : -2f];
            group.AllReduce(sums, ReduceOperation.Sum);
            group.AllReduce(minimums, ReduceOperation.Min);
            group.AllReduce(maximums, ReduceOperation.Max);
            group.Barrier();
            return (sums, minimums[0], maximums[0], group.Statistics);
        });

        foreach (var (sums, minimum, maximum, statistics) in results)
        {
            Assert.That(sums, Is.EqualTo(new long[] { 3, 33 }));
            Assert.That(minimum, Is.EqualTo(-1.0));
            Assert.That(maximum, Is.EqualTo(7f));
            Assert.That(statistics.Collectives, Is.EqualTo(4));
            Assert.That(statistics.Bytes, Is.EqualTo(2 * 8 + 8 + 4));
            Assert.That(statistics.Seconds, Is.GreaterThan(0));
        }
    }

    [TestCase(1, "rank 1 stopped answering")]
    [TestCase(0, "rank 0 (which serves the group's store at 127.0.0.1:")]
    public void ARankThatLeavesMidTrainingIsNamedByTheOtherWithinSeconds(int leaving, string named)
    {
        var options = TestModels.TokenOptions(RnnCellType.Gru, bidirectional: false, pooling: SequencePooling.Last);
        var sequences = TestModels.RandomSequences(5, 7, 3, 6);
        long[] labels = [0, 1, 2, 1];
        var models = Enumerable.Range(0, 2).Select(_ => new SequenceClassifierModel(options.Clone())).ToArray();
        var clock = Stopwatch.StartNew();

        var errors = OnRanks(2, group =>
        {
            using var model = models[group.Rank];
            model.JoinProcessGroup(group);
            model.TrainStep(TestModels.Batch(sequences), labels, 0.01);
            if (group.Rank == leaving) return null;  // leaves: its model and group are disposed, its connections closed
            return Assert.Catch(() => model.TrainStep(TestModels.Batch(sequences), labels, 0.01));
        }, timeoutSeconds: 60);

        var error = errors[1 - leaving];
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "a closed connection fails at once, not after the timeout");
        Assert.That(error, Is.InstanceOf<DistributedTrainingException>());
        Assert.That(error!.Message, Does.Contain($"rank {1 - leaving} of 2: a collective failed; {named}"));
    }

    [Test]
    public void AMissingRankIsAClearErrorWithinTheTimeout()
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Catch(() => new ProcessGroup(Loopback(DistributedOptions.FreeLoopbackPort(), 3, 0, timeoutSeconds: 2)));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
        Assert.That(error, Is.InstanceOf<DistributedTrainingException>());
        Assert.That(error!.Message, Does.Contain("ranks 1, 2 never joined"));
    }

    [Test]
    public void ARankWithoutRankZeroIsAClearErrorWithinTheTimeout()
    {
        var clock = Stopwatch.StartNew();
        int port = DistributedOptions.FreeLoopbackPort();
        var error = Assert.Catch(() => new ProcessGroup(Loopback(port, 2, 1, timeoutSeconds: 2)));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
        Assert.That(error, Is.InstanceOf<DistributedTrainingException>());
        Assert.That(error!.Message, Does.Contain($"could not reach rank 0's store at 127.0.0.1:{port}"));
    }

    // The engine reads GLOO_SOCKET_IFNAME with getenv; .NET's Environment.SetEnvironmentVariable does not reach it on Unix.
    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNativeVariable(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "unsetenv")]
    private static extern int UnsetNativeVariable(string name);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetNativeVariable(string name);

    [Test]
    public void GlooSocketIfnameChoosesTheInterfaceAndANameThisHostLacksIsRefused()
    {
        string? before = Marshal.PtrToStringUTF8(GetNativeVariable("GLOO_SOCKET_IFNAME"));
        try
        {
            SetNativeVariable("GLOO_SOCKET_IFNAME", "lo", 1);
            var sums = OnRanks(2, group =>
            {
                long[] value = [group.Rank + 1];
                group.AllReduce(value, ReduceOperation.Sum);
                return value[0];
            });
            Assert.That(sums, Is.All.EqualTo(3));

            SetNativeVariable("GLOO_SOCKET_IFNAME", "no-such-if0", 1);
            Assert.That(() => new ProcessGroup(Loopback(DistributedOptions.FreeLoopbackPort(), 1, 0)),
                Throws.ArgumentException.With.Message.Contains("GLOO_SOCKET_IFNAME names interface 'no-such-if0', which this host cannot use"));
        }
        finally
        {
            if (before is null) UnsetNativeVariable("GLOO_SOCKET_IFNAME");
            else SetNativeVariable("GLOO_SOCKET_IFNAME", before, 1);
        }
    }

    [TestCase(0, 2, 0, "MasterPort must be in [1, 65535], got 0")]
    [TestCase(29500, 2, 2, "Rank must be in [0, 2) for WorldSize 2, got 2")]
    [TestCase(29500, 0, 0, "WorldSize must be at least 1, got 0")]
    public void OutOfRangeSettingsAreRefusedBeforeAnyConnection(int port, int worldSize, int rank, string message)
    {
        Assert.That(() => new ProcessGroup(Loopback(port, worldSize, rank, 1)),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains(message));
    }

    [Test]
    public void TheLaunchersEnvironmentVariablesGiveTheSettings()
    {
        var variables = new Dictionary<string, string> { ["WORLD_SIZE"] = "4", ["RANK"] = "3", ["MASTER_ADDR"] = "node-0", ["MASTER_PORT"] = "23456", ["LOCAL_RANK"] = "1" };
        var options = DistributedOptions.FromVariables(name => variables.GetValueOrDefault(name))!;

        Assert.That((options.WorldSize, options.Rank, options.MasterAddress, options.MasterPort, options.LocalRank), Is.EqualTo((4, 3, "node-0", 23456, 1)));
        Assert.That(DistributedOptions.FromVariables(_ => null), Is.Null, "no WORLD_SIZE: not a distributed run");
        var defaults = DistributedOptions.FromVariables(name => name switch { "WORLD_SIZE" => "2", "RANK" => "0", _ => null })!;
        Assert.That((defaults.MasterAddress, defaults.MasterPort, defaults.LocalRank), Is.EqualTo(("127.0.0.1", 29500, 0)));
    }

    [TestCase("WORLD_SIZE=2", "RANK is not set, but WORLD_SIZE is")]
    [TestCase("WORLD_SIZE=2,RANK=x", "RANK must be an integer, got 'x'")]
    [TestCase("WORLD_SIZE=2,RANK=2", "Rank must be in [0, 2)")]
    [TestCase("WORLD_SIZE=2,RANK=0,MASTER_PORT=70000", "MasterPort must be in [1, 65535], got 70000")]
    public void BadEnvironmentVariablesAreNamed(string assignments, string message)
    {
        var variables = assignments.Split(',').Select(a => a.Split('=')).ToDictionary(a => a[0], a => a[1]);
        Assert.That(() => DistributedOptions.FromVariables(name => variables.GetValueOrDefault(name)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains(message));
    }

    // Rank 0's store listens on the master address it is given, not on every interface: while it waits
    // for a rank that never comes, loopback's other addresses (127.0.0.2) find nothing on its port.
    [Test]
    public void TheStoreListensOnTheMasterAddressOnly()
    {
        int port = DistributedOptions.FreeLoopbackPort();
        var rank0 = Task.Run(() => Assert.Catch(() => new ProcessGroup(Loopback(port, 2, 0, timeoutSeconds: 20))));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        bool listening = false;
        while (!listening && DateTime.UtcNow < deadline)
        {
            listening = CanConnect("127.0.0.1", port);
            if (!listening) Thread.Sleep(50);
        }

        Assert.That(listening, "rank 0 listens on 127.0.0.1");
        Assert.That(CanConnect("127.0.0.2", port), Is.False, "nor on another address");
        Assert.That(rank0.Wait(TimeSpan.FromSeconds(60)), "rank 0 gives up after its timeout");
    }

    [Test]
    public void APeerWithoutTheRunsTokenIsRefusedAndTheRightOneJoins()
    {
        int port = DistributedOptions.FreeLoopbackPort();
        DistributedOptions With(int rank, string token)
        {
            var options = Loopback(port, 2, rank, timeoutSeconds: 5);
            options.Token = token;
            return options;
        }
        var rank0 = Task.Run(() =>
        {
            using var group = new ProcessGroup(With(0, "secret-a"));
            long[] value = [1];
            group.AllReduce(value, ReduceOperation.Sum);
            return value[0];
        });
        var intruder = Assert.Catch(() => new ProcessGroup(With(1, "guess")));
        using var rank1 = new ProcessGroup(With(1, "secret-a"));
        long[] mine = [2];
        rank1.AllReduce(mine, ReduceOperation.Sum);

        Assert.That(intruder, Is.InstanceOf<ArgumentException>());
        Assert.That(intruder!.Message, Does.Contain("refused this process: its token differs from this run's"));
        Assert.That((rank0.Result, mine[0]), Is.EqualTo((3L, 3L)), "the rightful ranks formed the group");
    }

    // Issue 29, item 1: strangers cannot exhaust rank 0's store. Thousands of wrong-token connections
    // (each refused and closed) and more silent ones than the store lets wait leave its memory bounded
    // (each served thread is joined, not kept until the end of the run), and the rightful rank still
    // joins. Before, every refused connection kept its thread's 8 MB stack mapped: 20,000 of them
    // reached 164 GB of address space and then a thread could not start (std::system_error, abort).
    [Test]
    public void StrangersConnectingByTheThousandLeaveTheStoreBoundedAndTheRunForming()
    {
        int port = DistributedOptions.FreeLoopbackPort();
        DistributedOptions With(int rank) => new()
        {
            MasterAddress = "127.0.0.1", MasterPort = port, WorldSize = 2, Rank = rank, Timeout = TimeSpan.FromSeconds(60), Token = "the-run",
        };
        var rank0 = Task.Run(() =>
        {
            using var group = new ProcessGroup(With(0));
            long[] value = [1];
            group.AllReduce(value, ReduceOperation.Sum);
            return value[0];
        });
        var silent = new List<System.Net.Sockets.Socket>();
        try
        {
            Assert.That(SpinUntil(() => CanConnect("127.0.0.1", port), TimeSpan.FromSeconds(30)), "rank 0's store listens");
            long before = VirtualMemoryBytes();
            byte[] wrongToken = Hello("a-guess");
            for (int i = 0; i < 5000; i++)
            {
                using var stranger = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                stranger.Connect(System.Net.IPAddress.Loopback, port);
                stranger.Send(wrongToken);
                var answer = new byte[64];
                stranger.Receive(answer);   // "refused" (or closed at once while strangers wait)
            }
            // More silent connections than the store lets wait for a token; they never say anything.
            for (int i = 0; i < 2 * 64 + 10; i++)
            {
                var quiet = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                quiet.Connect(System.Net.IPAddress.Loopback, port);
                silent.Add(quiet);
            }
            long grown = VirtualMemoryBytes() - before;

            using var rank1 = new ProcessGroup(With(1));
            long[] mine = [2];
            rank1.AllReduce(mine, ReduceOperation.Sum);

            Assert.That(grown, Is.LessThan(2L << 30), $"address space grew by {grown >> 20} MB over 5,000 refused connections");
            Assert.That((rank0.Result, mine[0]), Is.EqualTo((3L, 3L)), "the rightful ranks formed the group");
        }
        finally
        {
            foreach (var quiet in silent) quiet.Dispose();
        }
    }

    // Issue 29, item 10: a master that answers HTTP (another program on the port) was reported as a token mismatch.
    [Test]
    public void AMasterThatAnswersHttpIsNamedAsAnotherProgram()
    {
        var http = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        http.Start();
        int port = ((System.Net.IPEndPoint)http.LocalEndpoint).Port;
        var answering = Task.Run(async () =>
        {
            using var client = await http.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.ReadAtLeastAsync(new byte[64], 1, throwOnEndOfStream: false);
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
            await stream.FlushAsync();
            try
            {
                await stream.ReadAtLeastAsync(new byte[64], 1, throwOnEndOfStream: false);   // until the rank closes (or resets)
            }
            catch (IOException)
            {
            }
        });
        try
        {
            var error = Assert.Catch(() => new ProcessGroup(Loopback(port, 2, 1, timeoutSeconds: 10)));

            Assert.That(error, Is.InstanceOf<DistributedTrainingException>());
            Assert.That(error!.Message, Does.Contain($"the store at 127.0.0.1:{port} answered with something that is not SeqClassify's store protocol"));
            Assert.That(error.Message, Does.Not.Contain("token"));
        }
        finally
        {
            http.Stop();
        }
        Assert.That(answering.Wait(TimeSpan.FromSeconds(30)), Is.True);
    }

    // The store's hello frame: op 0, key length 0 (uint32), payload length (uint64), the token.
    private static byte[] Hello(string token)
    {
        var frame = new List<byte> { 0 };
        frame.AddRange(BitConverter.GetBytes(0u));
        frame.AddRange(BitConverter.GetBytes((ulong)token.Length));
        frame.AddRange(System.Text.Encoding.UTF8.GetBytes(token));
        return [.. frame];
    }

    private static long VirtualMemoryBytes()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmSize:"));
        return long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    private static bool SpinUntil(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    // A port that accepts connections but never answers (not rank 0's store) is a clear error within
    // the timeout, not a hang until the peer closes, and never a crash of the process.
    [Test]
    public void APortThatAcceptsButNeverAnswersFailsWithinTheTimeout()
    {
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var accepted = new List<System.Net.Sockets.TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) accepted.Add(await silent.AcceptTcpClientAsync());
            }
            catch (Exception)
            {
            }
        });
        try
        {
            var clock = Stopwatch.StartNew();
            var error = Assert.Catch(() => new ProcessGroup(Loopback(port, 2, 1, timeoutSeconds: 3)));

            Assert.That(error, Is.InstanceOf<DistributedTrainingException>());
            Assert.That(error!.Message, Does.Contain($"the store at 127.0.0.1:{port} did not answer within 3000 ms"));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            silent.Stop();
            foreach (var client in accepted) client.Dispose();
        }
    }

    [Test]
    public void AnUnresolvableMasterIsRefusedAtOnceNamingIt()
    {
        var options = Loopback(29500, 2, 1, timeoutSeconds: 600);
        options.MasterAddress = "nosuchhost.invalid";
        var clock = Stopwatch.StartNew();

        var error = Assert.Catch(() => new ProcessGroup(options));

        Assert.That(error, Is.InstanceOf<ArgumentException>());
        Assert.That(error!.Message, Does.Contain("the master address 'nosuchhost.invalid' cannot be resolved"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "no retries until the timeout");
    }

    private static bool CanConnect(string address, int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Parse(address), port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
