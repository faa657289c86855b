using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SeqClassify.Cli.Output;

namespace SeqClassify.Cli.Server;

/// <summary>
/// The HTTP server of `seqclassify serve`: POST /predict, GET /health, GET /model. The model is
/// shared by all requests (prediction is thread-safe); the host stops gracefully on SIGTERM/Ctrl+C.
/// </summary>
internal static class PredictionServer
{
    /// <param name="gate">The bound on work in flight; by default one from <paramref name="limits"/> (tests pass their own to fill it).</param>
    /// <param name="connections">The bound on open connections; likewise.</param>
    public static WebApplication Build(LoadedModel model, string urls, ServerLimits limits, TextWriter errors, bool verbose, PredictionGate? gate = null,
        ConnectionLimit? connections = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Kestrel's own limit is the drain limit: Predict answers bodies over MaxRequestBytes itself.
            k.Limits.MaxRequestBodySize = Math.Max(limits.MaxRequestBytes, ServerLimits.MaxDrainBytes);
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.HeaderTimeoutSeconds);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
            // Counted by ConnectionLimit, which answers the one too many instead of dropping it.
            k.Limits.MaxConcurrentConnections = null;
            k.ConfigureEndpointDefaults(listen => listen.Use((connections ??= new ConnectionLimit(limits.MaxConnections)).Wrap));
        });
        builder.Services.Configure<KestrelServerOptions>(o => o.AllowSynchronousIO = false);
        var app = builder.Build();

        // Never an empty 500: an unexpected failure answers JSON and is reported on stderr.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                lock (errors)
                {
                    errors.WriteLine($"error: {context.Request.Method} {context.Request.Path}: {e.GetType().Name}: {e.Message}");
                    if (verbose) errors.WriteLine(e.ToString());
                    errors.Flush();
                }
                context.Response.Clear();
                await Error(StatusCodes.Status500InternalServerError, $"the server failed: {e.Message}").ExecuteAsync(context);
            }
        });

        app.MapGet("/health", () => Results.Json(new JsonObject { ["status"] = "ok" }));
        app.MapGet("/model", () => Results.Text(model.Description.ToJsonString(), "application/json"));
        // Prediction batches within the serving budget: the memory of each request scored at once.
        model.Classifier.PredictionBatchTokens = limits.BatchTokens;
        gate ??= new PredictionGate(limits.MaxConcurrentPredictions, limits.MaxQueuedRequests);
        app.MapPost("/predict", async (HttpContext context) =>
        {
            // The body is read before the request asks to be scored: a slow client holds its own
            // connection only, never a place in the scoring queue (70 clients at 300 B/s once made
            // every other request answer 503 for as long as they kept sending).
            var (request, refusal) = await ReadRequest(context, model, limits, gate);
            if (refusal is not null)
            {
                await refusal.ExecuteAsync(context);
                return;
            }
            // The admission lasts until the answer is written: an answer being sent holds memory too.
            using var admission = gate.TryAdmit();
            var result = admission is null ? Busy(context.Response, limits) : await Score(request!, model, admission, context.RequestAborted);
            await result.ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>The request the body asks for, or the answer that refuses it (400, 408, 413).</summary>
    private static async Task<(PredictionRequest? Request, IResult? Refusal)> ReadRequest(HttpContext context, LoadedModel model, ServerLimits limits, PredictionGate gate)
    {
        var aborted = context.RequestAborted;
        using var reading = gate.ReadingBody();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(limits.BodyTimeoutSeconds));
        JsonNode? body;
        try
        {
            var kept = await ReadBody(context.Request, limits.MaxRequestBytes, deadline.Token);
            if (kept is null)
            {
                return (null, TooLarge(limits));
            }
            // A repeated key is refused, not resolved silently to one of its values.
            body = await JsonNode.ParseAsync(kept, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false },
                cancellationToken: aborted);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            // What Kestrel's minimum data rate does not catch: a body trickled just above it.
            context.Response.Headers.Connection = "close";
            return (null, Error(StatusCodes.Status408RequestTimeout, $"the request body did not arrive within {limits.BodyTimeoutSeconds} s"));
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limits));
        }
        catch (JsonException e)
        {
            return (null, Error(StatusCodes.Status400BadRequest, $"the body is not valid JSON: {e.Message}"));
        }
        PredictionRequest parsed;
        try
        {
            parsed = PredictionRequest.Read(body, limits, model.ReadsPairs);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json transcodes strings when they are read: bytes that are not UTF-8, or an
            // escaped surrogate without its pair ("\ud800"), fail only then.
            return (null, Error(StatusCodes.Status400BadRequest, $"a string in the body cannot be read as text: {e.Message}"));
        }
        return parsed.Problem is null ? (parsed, null) : (null, Error(StatusCodes.Status400BadRequest, parsed.Problem));
    }

    private static IResult Busy(HttpResponse response, ServerLimits limits)
    {
        response.Headers.RetryAfter = ServerLimits.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Error(StatusCodes.Status503ServiceUnavailable,
            $"the server is busy: {limits.MaxConcurrentPredictions} requests are being scored and {limits.MaxQueuedRequests} wait; retry after {ServerLimits.RetryAfterSeconds} s");
    }

    private static async Task<IResult> Score(PredictionRequest parsed, LoadedModel model, PredictionGate.Admission admission, CancellationToken aborted)
    {
        await admission.WaitToScoreAsync(aborted);
        var (texts, pairs) = (parsed.Texts, parsed.Pairs);
        var scores = pairs is null ? model.Score(texts) : model.ScorePairs(texts.Zip(pairs).ToList());
        var results = new JsonArray(texts.Select((text, i) => (JsonNode?)PredictionJson.Add(
            pairs is null ? new JsonObject { ["text"] = text } : new JsonObject { ["text"] = text, ["pair"] = pairs[i] },
            scores[i], model.Classifier, model.Classifier.LabelNames.Count)).ToArray());
        return Results.Text((parsed.Single ? results[0]! : new JsonObject { ["predictions"] = results }).ToJsonString(), "application/json");
    }

    /// <summary>
    /// The body, when it has at most <paramref name="keepAtMost"/> bytes; otherwise null, after reading
    /// and dropping the rest (up to Kestrel's limit, <see cref="ServerLimits.MaxDrainBytes"/>).
    /// </summary>
    private static async Task<MemoryStream?> ReadBody(HttpRequest request, long keepAtMost, CancellationToken aborted)
    {
        var kept = new MemoryStream();
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(chunk, aborted)) > 0)
        {
            total += read;
            if (total <= keepAtMost) kept.Write(chunk, 0, read);
        }
        if (total > keepAtMost) return null;
        kept.Position = 0;
        return kept;
    }

    // Over MaxRequestBytes (read and dropped here), or over Kestrel's drain limit (refused by Kestrel).
    private static IResult TooLarge(ServerLimits limits) =>
        Error(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {limits.MaxRequestBytes} bytes");

    private static IResult Error(int status, string message) =>
        Results.Json(new JsonObject { ["error"] = message, ["status"] = status }, statusCode: status);
}
