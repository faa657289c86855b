using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SeqClassify.Cli.Commands;

namespace SeqClassify.Cli.Server;

/// <summary>
/// The HTTP server of `seqclassify serve`: POST /predict, GET /health, GET /model. The model is
/// shared by all requests (prediction is thread-safe); the host stops gracefully on SIGTERM/Ctrl+C.
/// </summary>
internal static class PredictionServer
{
    /// <param name="gate">The bound on work in flight; by default one from <paramref name="limits"/> (tests pass their own to fill it).</param>
    public static WebApplication Build(LoadedModel model, string urls, ServerLimits limits, TextWriter errors, bool verbose, PredictionGate? gate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Kestrel's own limit is the drain limit: Predict answers bodies over MaxRequestBytes itself.
            k.Limits.MaxRequestBodySize = Math.Max(limits.MaxRequestBytes, ServerLimits.MaxDrainBytes);
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.HeaderTimeoutSeconds);
            k.Limits.MaxConcurrentConnections = limits.MaxConnections;
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
            // The admission lasts until the answer is written: an answer being sent holds memory too.
            using var admission = gate.TryAdmit();
            var result = await Predict(context.Request, model, limits, admission, context.RequestAborted);
            await result.ExecuteAsync(context);
        });
        return app;
    }

    private static async Task<IResult> Predict(HttpRequest request, LoadedModel model, ServerLimits limits, PredictionGate.Admission? admission,
        CancellationToken aborted)
    {
        if (admission is null)
        {
            // Read and dropped, as a body over the limit is, so that the client reads the answer.
            await ReadBody(request, keepAtMost: 0, aborted);
            request.HttpContext.Response.Headers.RetryAfter = ServerLimits.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Error(StatusCodes.Status503ServiceUnavailable,
                $"the server is busy: {limits.MaxConcurrentPredictions} requests are being scored and {limits.MaxQueuedRequests} wait; retry after {ServerLimits.RetryAfterSeconds} s");
        }
        JsonNode? body;
        try
        {
            var kept = await ReadBody(request, limits.MaxRequestBytes, aborted);
            if (kept is null)
            {
                return TooLarge(limits);
            }
            // A repeated key is refused, not resolved silently to one of its values.
            body = await JsonNode.ParseAsync(kept, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false },
                cancellationToken: aborted);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limits);
        }
        catch (JsonException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"the body is not valid JSON: {e.Message}");
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
            return Error(StatusCodes.Status400BadRequest, $"a string in the body cannot be read as text: {e.Message}");
        }
        if (parsed.Problem is not null)
        {
            return Error(StatusCodes.Status400BadRequest, parsed.Problem);
        }
        // The parsed body is not needed while this request waits its turn; its texts are.
        body = null;
        await admission.WaitToScoreAsync(aborted);
        var (texts, pairs) = (parsed.Texts, parsed.Pairs);
        var scores = pairs is null ? model.Score(texts) : model.ScorePairs(texts.Zip(pairs).ToList());
        var results = new JsonArray(texts.Select((text, i) => (JsonNode?)PredictCommand.AddPrediction(
            pairs is null ? new JsonObject { ["text"] = text } : new JsonObject { ["text"] = text, ["pair"] = pairs[i] },
            scores[i], model.Classifier.LabelNames, model.Classifier.LabelNames.Count)).ToArray());
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
