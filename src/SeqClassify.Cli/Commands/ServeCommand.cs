using System.CommandLine;
using SeqClassify.Cli.Server;
using Microsoft.ML;

namespace SeqClassify.Cli.Commands;

/// <summary>seqclassify serve: an HTTP prediction server for a model.</summary>
internal sealed class ServeCommand
{
    private readonly Option<string> _model = new("--model") { Description = "The model .zip.", Required = true };
    private readonly Option<string> _urls = new("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
    private readonly Option<int> _maxTexts = new("--max-texts") { Description = "Most texts in one request.", DefaultValueFactory = _ => new ServerLimits().MaxTexts };
    private readonly Option<int> _maxTextLength = new("--max-text-length") { Description = "Most characters in one text.", DefaultValueFactory = _ => new ServerLimits().MaxTextLength };
    private readonly Option<long> _maxRequestBytes = new("--max-request-bytes") { Description = "Largest request body.", DefaultValueFactory = _ => new ServerLimits().MaxRequestBytes };
    private readonly Option<double> _headerTimeout = new("--header-timeout")
    {
        Description = "Seconds a client has to send its request headers before it is disconnected (slow clients hold a connection).",
        DefaultValueFactory = _ => new ServerLimits().HeaderTimeoutSeconds,
    };
    private readonly Option<double> _bodyTimeout = new("--body-timeout")
    {
        Description = "Seconds a client has to send its whole request body; later, it is answered 408 and disconnected.",
        DefaultValueFactory = _ => new ServerLimits().BodyTimeoutSeconds,
    };
    private readonly Option<double> _keepAliveTimeout = new("--keep-alive-timeout")
    {
        Description = "Seconds a connection may stay idle between requests before the server closes it.",
        DefaultValueFactory = _ => new ServerLimits().KeepAliveTimeoutSeconds,
    };
    private readonly Option<int> _maxConnections = new("--max-connections")
    {
        Description = "Connections open at once; one more is answered 503 with Retry-After at once and closed.",
        DefaultValueFactory = _ => new ServerLimits().MaxConnections,
    };
    private readonly Option<int> _maxConcurrentPredictions = new("--max-concurrent-predictions")
    {
        Description = "Requests scored at once (each uses the engine's threads); the rest wait in the queue.",
        DefaultValueFactory = _ => new ServerLimits().MaxConcurrentPredictions,
    };
    private readonly Option<int> _maxQueuedRequests = new("--max-queued-requests")
    {
        Description = "Requests that may wait to be scored; one more is refused at once with 503 and Retry-After.",
        DefaultValueFactory = _ => new ServerLimits().MaxQueuedRequests,
    };
    private readonly Option<int> _batchTokens = new("--batch-tokens")
    {
        Description = "Padded tokens the engine scores in one batch: a request's texts are scored in batches within it, which bounds " +
                      "each scoring request's memory (about 2.5 KB per token with the default model). Predictions do not depend on it.",
        DefaultValueFactory = _ => new ServerLimits().BatchTokens,
    };

    // One batch's activations grow with its tokens: about 2.5 KB each with the default model.
    private const int MaximumBatchTokens = 1 << 20;

    public Command Build(CliConsole console, Option<bool> verbose)
    {
        var command = new Command("serve", """
            Serve a model over HTTP until SIGTERM or Ctrl+C.
              POST /predict  {"text": "..."} or {"texts": ["...", ...]}  ->  labels with probabilities
                             (a sentence-pair model: {"text": "...", "pair": "..."} or {"texts": [...], "pairs": [...]})
              GET  /health   GET /model (the model's description: labels, steps, network, training history)
            Requests over the limits get 413 (body size) or 400 (texts, text length) with a JSON error; so
            does a body that is not what the server can read (not JSON, a duplicate key, bytes that are not
            UTF-8, an unpaired surrogate, a value of the wrong type). An unexpected failure is a 500 with a
            JSON error, reported on stderr (with its stack trace under --verbose).
            Slow clients: headers must arrive within --header-timeout seconds, bodies at 240 bytes/s or more
            (after 5 s) and whole within --body-timeout seconds (else 408); a body is read before its request
            waits to be scored, so slow clients never fill the queue. Idle connections close after
            --keep-alive-timeout seconds; at most --max-connections are open at once, and one more is answered
            503 with Retry-After at once. --urls binds only the addresses it names: a host name is resolved and
            its addresses are bound (http://*:PORT or http://0.0.0.0:PORT for every interface).
            Load: at most --max-concurrent-predictions requests are scored at once, in batches of at most
            --batch-tokens tokens, and --max-queued-requests more wait their turn; a request beyond those is
            answered 503 with Retry-After: 1 at once. Memory is bounded by these limits, not by the clients:
            bench/results/server-load-*.md measures it.

            Example:
              seqclassify serve --model sst2.zip --urls http://127.0.0.1:5080
              curl -s localhost:5080/predict -d '{"text": "a gorgeous film"}'
            """);
        foreach (var option in new Option[] { _model, _urls, _maxTexts, _maxTextLength, _maxRequestBytes, _headerTimeout, _bodyTimeout, _keepAliveTimeout, _maxConnections,
                     _maxConcurrentPredictions, _maxQueuedRequests, _batchTokens })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancel) => Run(parse, console, parse.GetValue(verbose), cancel));
        return command;
    }

    private async Task<int> Run(ParseResult parse, CliConsole console, bool verbose, CancellationToken cancel)
    {
        var limits = new ServerLimits(parse.GetValue(_maxRequestBytes), parse.GetValue(_maxTexts), parse.GetValue(_maxTextLength),
            parse.GetValue(_headerTimeout), parse.GetValue(_maxConnections), parse.GetValue(_maxConcurrentPredictions),
            parse.GetValue(_maxQueuedRequests), parse.GetValue(_batchTokens), parse.GetValue(_bodyTimeout), parse.GetValue(_keepAliveTimeout));
        foreach (var (name, value) in new (string, long)[] { ("--max-texts", limits.MaxTexts), ("--max-text-length", limits.MaxTextLength),
                     ("--max-request-bytes", limits.MaxRequestBytes), ("--max-connections", limits.MaxConnections),
                     ("--max-concurrent-predictions", limits.MaxConcurrentPredictions), ("--batch-tokens", limits.BatchTokens) })
        {
            if (value < 1) throw new UsageException($"{name} must be at least 1, got {value}");
        }
        if (limits.BatchTokens > MaximumBatchTokens)
        {
            throw new UsageException($"--batch-tokens must be at most {MaximumBatchTokens:N0} (about 2.5 GB of activations with the default model), got {limits.BatchTokens}");
        }
        if (limits.MaxQueuedRequests < 0) throw new UsageException($"--max-queued-requests must be 0 or more, got {limits.MaxQueuedRequests}");
        foreach (var (name, seconds) in new[] { ("--header-timeout", limits.HeaderTimeoutSeconds), ("--body-timeout", limits.BodyTimeoutSeconds),
                     ("--keep-alive-timeout", limits.KeepAliveTimeoutSeconds) })
        {
            if (!(seconds >= 1 && seconds <= 3600)) throw new UsageException($"{name} must be between 1 and 3600 seconds, got {seconds}");
        }
        string urls = ListenAddresses.Resolve(parse.GetValue(_urls)!);
        var model = LoadedModel.Load(new MLContext(), parse.GetValue(_model)!);
        await using var app = PredictionServer.Build(model, urls, limits, console.Error, verbose);
        await app.StartAsync(cancel);
        console.Out.WriteLine($"serving {parse.GetValue(_model)} at {string.Join(", ", app.Urls)} (Ctrl+C or SIGTERM stops)");
        console.Out.Flush();
        try
        {
            await Task.Delay(Timeout.Infinite, cancel);
        }
        catch (OperationCanceledException)
        {
        }
        // Graceful: in-flight requests finish before the host stops.
        await app.StopAsync(CancellationToken.None);
        console.Out.WriteLine("server stopped");
        return ExitCodes.Success;
    }
}
