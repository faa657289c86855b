namespace SeqClassify.Cli.Tests;

/// <summary>
/// `seqclassify serve` run in this process on a free loopback port (--urls http://127.0.0.1:0), with an
/// HTTP client on the address it prints; <see cref="Stop"/> cancels it as Ctrl+C would and returns its result.
/// </summary>
internal sealed class InProcessServer
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<Cli.Result> _server;

    private InProcessServer(string[] serveArguments)
    {
        var output = new StringWriter();
        _server = Task.Run(() =>
        {
            var error = new StringWriter();
            int code = CliApp.Run(["serve", .. serveArguments, "--urls", "http://127.0.0.1:0"], new CliConsole(output, error, false), TextReader.Null, _stop.Token);
            return new Cli.Result(code, output.ToString(), error.ToString());
        });
        Http = new HttpClient { BaseAddress = new Uri(ServerTests.WaitForUrl(() => output.ToString(), _server)), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    public static InProcessServer Start(params string[] serveArguments) => new(serveArguments);

    /// <summary>Stops the server; its result, or null when it did not stop within 30 s.</summary>
    public Cli.Result? Stop()
    {
        _stop.Cancel();
        Http.Dispose();
        return _server.Wait(TimeSpan.FromSeconds(30)) ? _server.Result : null;
    }
}
