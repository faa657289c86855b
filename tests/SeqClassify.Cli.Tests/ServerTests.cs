using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SeqClassify.Cli.Tests;

/// <summary>`seqclassify serve` over loopback with a real HTTP client.</summary>
[TestFixture]
public class ServerTests
{
    private string _model = null!;
    private InProcessServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void TrainAndServe()
    {
        _model = Path.Combine(Cli.Scratch(), "spam.zip");
        var train = Cli.Run("train", "--pretrained", "none", "--train", Cli.SmsSlice(everyNth: 2), "--no-header", "--text-column", "1", "--label-column", "0",
            "--epochs", "3", "--out", _model);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);

        _server = InProcessServer.Start("--model", _model, "--max-texts", "8", "--max-text-length", "500", "--max-request-bytes", "20000", "--header-timeout", "1");
        _http = _server.Http;
    }

    [OneTimeTearDown]
    public void Stop()
    {
        var result = _server.Stop();
        Assert.That(result?.ExitCode, Is.EqualTo(0), result?.Error);
        Assert.That(result!.Out, Does.Contain("server stopped"));
    }

    [Test]
    public async Task HealthAndModelEndpointsAnswer()
    {
        var health = await _http.GetFromJsonAsync<JsonObject>("/health");
        var manifest = await _http.GetFromJsonAsync<JsonObject>("/model");

        Assert.That(health!["status"]!.GetValue<string>(), Is.EqualTo("ok"));
        Assert.That(manifest!["format"]!.GetValue<string>(), Does.StartWith("ML.NET model"));
        Assert.That(manifest["labels"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "ham", "spam" }));
        Assert.That(manifest["steps"]!.AsArray().Select(s => s!["kind"]!.GetValue<string>()), Does.Contain("SequenceClassificationTransformer"));
    }

    [Test]
    public async Task PredictTakesOneTextOrMany()
    {
        var one = await Post(new JsonObject { ["text"] = "WIN a FREE prize now! Text CLAIM to 80086" });
        var many = await Post(new JsonObject { ["texts"] = new JsonArray("see you later", "URGENT! claim your cash prize") });

        Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var single = JsonNode.Parse(await one.Content.ReadAsStringAsync())!;
        Assert.That(single["label"]!.GetValue<string>(), Is.EqualTo("spam"));
        Assert.That(single["top"]!.AsArray().Sum(t => t!["probability"]!.GetValue<double>()), Is.EqualTo(1).Within(1e-4));
        var batch = JsonNode.Parse(await many.Content.ReadAsStringAsync())!["predictions"]!.AsArray();
        Assert.That(batch.Select(p => p!["label"]!.GetValue<string>()), Is.EqualTo(new[] { "ham", "spam" }));
    }

    [Test]
    public async Task LimitsAnswer413Or400WithAJsonError()
    {
        var tooBig = await _http.PostAsync("/predict", new StringContent("{\"text\":\"" + new string('a', 30_000) + "\"}", Encoding.UTF8, "application/json"));
        var tooMany = await Post(new JsonObject { ["texts"] = new JsonArray(Enumerable.Range(0, 9).Select(i => (JsonNode?)$"t{i}").ToArray()) });
        var tooLong = await Post(new JsonObject { ["text"] = new string('b', 501) });
        var notJson = await _http.PostAsync("/predict", new StringContent("{text:", Encoding.UTF8, "application/json"));
        var wrongShape = await Post(new JsonObject { ["texts"] = new JsonArray(1, 2) });
        var both = await Post(new JsonObject { ["text"] = "a", ["texts"] = new JsonArray("b") });

        Assert.That(tooBig.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await Error(tooBig), Does.Contain("20000 bytes"));
        Assert.That(tooMany.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await Error(tooMany), Does.Contain("9 texts").And.Contain("at most 8"));
        Assert.That(tooLong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await Error(tooLong), Does.Contain("501 characters"));
        Assert.That(notJson.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await Error(wrongShape), Does.Contain("\"texts\"[0] must be a string"));
        Assert.That(both.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "issue 22, item 10: neither is dropped silently");
        Assert.That(await Error(both), Does.Contain("give \"text\" or \"texts\", not both"));
    }

    // Issue 22, item 10: a client that sends its whole 10 MB body before reading (as Python's urllib
    // does) reads the 413 JSON, not a broken pipe.
    [Test]
    public async Task ABodySentWholeBeforeTheAnswerStillGetsThe413()
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(_http.BaseAddress!.Host, _http.BaseAddress.Port);
        var stream = client.GetStream();
        const int size = 10 << 20;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /predict HTTP/1.1\r\nHost: {_http.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"));
        var body = new byte[size];
        Array.Fill(body, (byte)' ');
        await stream.WriteAsync(body);

        string answer = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();

        Assert.That(answer, Does.StartWith("HTTP/1.1 413"));
        Assert.That(answer, Does.Contain("\"error\"").And.Contain("20000 bytes"));
    }

    [Test]
    public async Task BodiesTheServerCannotReadAre400WithAJsonErrorSayingWhy()
    {
        async Task<(HttpStatusCode Status, string Error)> Send(byte[] body)
        {
            var response = await _http.PostAsync("/predict", new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } });
            return (response.StatusCode, await Error(response));
        }

        var duplicate = await Send("{\"text\":\"a\",\"text\":\"b\"}"u8.ToArray());
        var notUtf8 = await Send([.. "{\"text\":\"caf"u8, 0xE9, .. "\"}"u8]);
        var loneSurrogate = await Send("{\"text\":\"\\ud800\"}"u8.ToArray());
        var wrongType = await Send("{\"text\":5}"u8.ToArray());

        Assert.That(duplicate, Is.EqualTo((HttpStatusCode.BadRequest, duplicate.Error)));
        Assert.That(duplicate.Error, Does.Contain("not valid JSON").And.Contain("text"));
        Assert.That(notUtf8.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(notUtf8.Error, Does.Contain("UTF-8").IgnoreCase);
        Assert.That(loneSurrogate.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(loneSurrogate.Error, Does.Contain("cannot be read as text").Or.Contain("not valid JSON"));
        Assert.That(wrongType.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(wrongType.Error, Does.Contain("\"text\" must be a string"));
    }

    [Test]
    public async Task AClientThatNeverFinishesItsHeadersIsDisconnected()
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(_http.BaseAddress!.Host, _http.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("POST /predict HTTP/1.1\r\nHost: localhost\r\n"u8.ToArray());
        var clock = Stopwatch.StartNew();

        // The server (--header-timeout 1) closes the connection; reading then ends.
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await stream.ReadAsync(buffer, limit.Token) > 0) { }
        }
        catch (IOException)
        {
            // A reset also ends the connection.
        }

        Assert.That(limit.IsCancellationRequested, Is.False, "the connection was still open after 20 s");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task AnUnexpectedFailureIsAJson500ReportedOnStderr()
    {
        var model = LoadedModel.Load(new Microsoft.ML.MLContext(), _model);
        var errors = new StringWriter();
        await using var app = Server.PredictionServer.Build(model, "http://127.0.0.1:0", new Server.ServerLimits(), errors, verbose: true);
        await app.StartAsync();
        // Every prediction now fails inside the classifier: the failure no request can cause on purpose.
        model.Classifier.Dispose();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var response = await http.PostAsync("/predict", JsonContent.Create(new JsonObject { ["text"] = "hello" }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(await Error(response), Does.StartWith("the server failed: "));
        Assert.That(errors.ToString(), Does.Contain("error: POST /predict: ObjectDisposedException").And.Contain("   at "), "reported, with the stack trace under --verbose");
        await app.StopAsync();
    }

    [Test]
    public async Task ARequestBeyondTheQueueIsRefusedWith503AndRetryAfterAndOneInTheQueueWaitsForItsTurn()
    {
        var model = LoadedModel.Load(new Microsoft.ML.MLContext(), _model);
        var limits = new Server.ServerLimits(MaxConcurrentPredictions: 1, MaxQueuedRequests: 1);
        var gate = new Server.PredictionGate(limits.MaxConcurrentPredictions, limits.MaxQueuedRequests);
        await using var app = Server.PredictionServer.Build(model, "http://127.0.0.1:0", limits, new StringWriter(), verbose: false, gate);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var body = new JsonObject { ["text"] = "free prize call now" };
        // The server's one scoring slot and its one queue place, taken.
        var scoring = gate.TryAdmit()!;
        await scoring.WaitToScoreAsync(CancellationToken.None);
        var queued = gate.TryAdmit()!;

        var refused = await http.PostAsync("/predict", JsonContent.Create(body));

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(Server.ServerLimits.RetryAfterSeconds)));
        Assert.That(await Error(refused), Does.StartWith("the server is busy: 1 requests are being scored and 1 wait"));
        Assert.That(gate.Admitted, Is.EqualTo(2), "the refused request left nothing behind");

        // A place in the queue frees: the next request is admitted and waits for the scoring slot.
        queued.Dispose();
        var waiting = http.PostAsync("/predict", JsonContent.Create(body));
        while (gate.Admitted < 2 && !waiting.IsCompleted) await Task.Yield();
        Assert.That(waiting.IsCompleted, Is.False, "answered while the only scoring slot was taken");
        scoring.Dispose();
        var answered = await waiting;

        Assert.That(answered.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answered.Content.ReadAsStringAsync());
        // The admission lasts until the answer is written: the client may read it just before the release.
        await Eventually.Until(() => gate.Admitted == 0, "the answered request released its admission");
        await app.StopAsync();
    }

    [TestCase("--batch-tokens", "0", "--batch-tokens must be at least 1, got 0")]
    [TestCase("--max-concurrent-predictions", "0", "--max-concurrent-predictions must be at least 1, got 0")]
    [TestCase("--max-queued-requests", "-1", "--max-queued-requests must be 0 or more, got -1")]
    public void LoadLimitsOutOfRangeAreUsageErrors(string option, string value, string message)
    {
        var result = Cli.Run("serve", "--model", _model, option, value);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Error);
        Assert.That(result.Error, Does.Contain(message));
    }

    [Test]
    public async Task ConcurrentRequestsGetTheSequentialAnswers()
    {
        var texts = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"free prize {i} call now" : $"lunch at {i}?").ToArray();
        var sequential = new List<string>();
        foreach (var t in texts) sequential.Add(await (await Post(new JsonObject { ["text"] = t })).Content.ReadAsStringAsync());

        var concurrent = await Task.WhenAll(texts.Select(async t => await (await Post(new JsonObject { ["text"] = t })).Content.ReadAsStringAsync()));

        Assert.That(concurrent, Is.EqualTo(sequential));
    }

    [Test]
    public void SigtermStopsAServerProcessGracefully()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "seqclassify.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", cli, "serve", "--model", _model, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        string url = WaitForUrl(() => { lock (output) return output.ToString(); }, null, process);
        using var client = new HttpClient();
        Assert.That(client.GetAsync(url + "/health").Result.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();

        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "the server exits");
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), process.StandardError.ReadToEnd());
        lock (output) Assert.That(output.ToString(), Does.Contain("server stopped"));
    }

    [Test]
    public async Task APairForASingleTextModelIsRefused()
    {
        var response = await Post(new JsonObject { ["text"] = "see you later", ["pair"] = "ok" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await Error(response), Is.EqualTo("this model reads single texts: \"pair\" and \"pairs\" do not apply"));
    }

    private Task<HttpResponseMessage> Post(JsonObject body) =>
        _http.PostAsync("/predict", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    private static async Task<string> Error(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();

    internal static string WaitForUrl(Func<string> output, Task? server, Process? process = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var match = Regex.Match(output(), @"at (http://127\.0\.0\.1:\d+)");
            if (match.Success) return match.Groups[1].Value;
            if (server is { IsCompleted: true } || process is { HasExited: true }) break;
            Thread.Sleep(50);
        }
        throw new InvalidOperationException("the server did not start: " + output());
    }
}
