using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using SeqClassify.Cli.Server;

namespace SeqClassify.Cli.Tests;

/// <summary>Issue 29, items 4, 5 and 9: slow bodies, idle connections and host names cannot lock a server's clients out.</summary>
[TestFixture]
public class ServerHardeningTests
{
    private string _model = null!;

    [OneTimeSetUp]
    public void Train()
    {
        _model = Path.Combine(Cli.Scratch(), "spam.zip");
        var train = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSlice(everyNth: 8), "--no-header", "--text-column", "1", "--label-column", "0",
            "--epochs", "1", "--hidden", "16", "--embedding-dim", "16", "--out", _model);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
    }

    private static readonly JsonObject Body = new() { ["text"] = "free prize call now" };

    // Item 4: clients trickling their bodies hold their own connections, never the scoring queue: with
    // one scoring slot and one queue place, five slow bodies in flight leave a normal request answered.
    // Before, a request was admitted on arrival: 70 clients at 300 B/s made everyone else get 503.
    [Test]
    public async Task SlowBodiesNeverHoldThePlacesOfTheScoringQueue()
    {
        var limits = new ServerLimits(MaxConcurrentPredictions: 1, MaxQueuedRequests: 1);
        var gate = new PredictionGate(limits.MaxConcurrentPredictions, limits.MaxQueuedRequests);
        await using var app = PredictionServer.Build(LoadedModel.Load(new Microsoft.ML.MLContext(), _model), "http://127.0.0.1:0", limits, new StringWriter(), false, gate);
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        var slow = Enumerable.Range(0, 5).Select(_ => Open(port, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"text\": \"")).ToList();
        try
        {
            await Eventually.Until(() => gate.ReadingBodies == 5, "five bodies being read");
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

            var answer = await http.PostAsync("/predict", JsonContent.Create(Body));

            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answer.Content.ReadAsStringAsync());
            Assert.That(gate.Admitted, Is.LessThanOrEqualTo(1), "the slow requests were never admitted");
            await Eventually.Until(() => gate.Admitted == 0, "the answered request released its admission");
        }
        finally
        {
            foreach (var socket in slow) socket.Dispose();
        }
        await app.StopAsync();
    }

    // Item 4: a body that does not arrive whole within --body-timeout is answered 408, and its connection closed.
    [Test]
    public async Task ABodyThatDoesNotArriveWithinItsDeadlineIsAnswered408()
    {
        var limits = new ServerLimits(BodyTimeoutSeconds: 1);
        await using var app = PredictionServer.Build(LoadedModel.Load(new Microsoft.ML.MLContext(), _model), "http://127.0.0.1:0", limits, new StringWriter(), false);
        await app.StartAsync();
        using var socket = Open(new Uri(app.Urls.First()).Port, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"te");

        string answer = ReadToClose(socket);

        Assert.That(answer, Does.StartWith("HTTP/1.1 408"));
        Assert.That(answer, Does.Contain("the request body did not arrive within 1 s"));
        await app.StopAsync();
    }

    // Item 5: with every connection taken by idle keep-alive clients, a new client is answered 503 with
    // Retry-After at once (Kestrel closed it without a word, for the 130 s of its keep-alive), and once
    // the idle connections time out (--keep-alive-timeout) it is served.
    [Test]
    public async Task IdleConnectionsNeverLockNewClientsOut()
    {
        var limits = new ServerLimits(MaxConnections: 8, KeepAliveTimeoutSeconds: 1);
        var connections = new ConnectionLimit(limits.MaxConnections);
        await using var app = PredictionServer.Build(LoadedModel.Load(new Microsoft.ML.MLContext(), _model), "http://127.0.0.1:0", limits, new StringWriter(), false,
            connections: connections);
        await app.StartAsync();
        int port = new Uri(app.Urls.First()).Port;
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                var socket = Open(port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.That(ReadSome(socket), Does.StartWith("HTTP/1.1 200"));
                idle.Add(socket);
            }
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

            var refused = await http.GetAsync("/health");

            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(ServerLimits.RetryAfterSeconds)));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("the server has 8 connections open, its most"));

            // The server closes the idle ones after the keep-alive timeout: each read ends (after what is
            // left of its /health answer, such as the last chunk).
            foreach (var socket in idle) Assert.That(ReadToClose(socket), Does.Not.Contain("HTTP/1.1"));
            await Eventually.Until(() => connections.Open == 0, "the idle connections closed");
            Assert.That((await http.GetAsync("/health")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        finally
        {
            foreach (var socket in idle) socket.Dispose();
        }
        await app.StopAsync();
    }

    // Item 9: Kestrel binds every interface for a host name; serve binds the name's addresses alone.
    [Test]
    public async Task AHostNameIsBoundAtItsAddressesOnly()
    {
        string urls = ListenAddresses.Resolve("http://model-host:0;http://[::1]:0;http://*:5080", name => name == "model-host" ? [IPAddress.Loopback] : []);

        Assert.That(urls, Is.EqualTo("http://127.0.0.1:0;http://[::1]:0;http://*:5080"));
        await using var app = PredictionServer.Build(LoadedModel.Load(new Microsoft.ML.MLContext(), _model), urls.Split(';')[0], new ServerLimits(), new StringWriter(), false);
        await app.StartAsync();
        Assert.That(app.Urls, Has.All.StartsWith("http://127.0.0.1:"), "loopback only, not [::]");
        await app.StopAsync();
        Assert.That(() => ListenAddresses.Resolve("http://model-host:0", _ => []), Throws.InstanceOf<UsageException>().With.Message.Contains("'model-host'"));
        var unresolvable = Cli.Run("serve", "--model", _model, "--urls", "http://nosuchhost.invalid:5080");
        Assert.That(unresolvable.ExitCode, Is.EqualTo(2));
        Assert.That(unresolvable.Error, Does.Contain("--urls: the host 'nosuchhost.invalid' in 'http://nosuchhost.invalid:5080' cannot be resolved"));
    }

    private static Socket Open(int port, string send)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, port);
        socket.Send(Encoding.ASCII.GetBytes(send));
        return socket;
    }

    private static string ReadSome(Socket socket)
    {
        var buffer = new byte[4096];
        return Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer));
    }

    private static string ReadToClose(Socket socket)
    {
        socket.ReceiveTimeout = 30_000;
        var all = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = socket.Receive(buffer)) > 0) all.Append(Encoding.UTF8.GetString(buffer, 0, read));
        return all.ToString();
    }
}
