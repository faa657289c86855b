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
    public static WebApplication Build(LoadedModel model, string urls, ServerLimits limits, TextWriter errors, bool verbose)
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
        app.MapPost("/predict", (HttpRequest request, CancellationToken aborted) => Predict(request, model, limits, aborted));
        return app;
    }

    private static async Task<IResult> Predict(HttpRequest request, LoadedModel model, ServerLimits limits, CancellationToken aborted)
    {
        JsonNode? body;
        try
        {
            // At most MaxRequestBytes kept; the rest of a larger body read and dropped before the 413.
            var kept = new MemoryStream();
            var chunk = new byte[81920];
            long total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(chunk, aborted)) > 0)
            {
                total += read;
                if (total <= limits.MaxRequestBytes) kept.Write(chunk, 0, read);
            }
            if (total > limits.MaxRequestBytes)
            {
                return Error(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {limits.MaxRequestBytes} bytes");
            }
            kept.Position = 0;
            // A repeated key is refused, not resolved silently to one of its values.
            body = await JsonNode.ParseAsync(kept, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false },
                cancellationToken: aborted);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {limits.MaxRequestBytes} bytes");
        }
        catch (JsonException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"the body is not valid JSON: {e.Message}");
        }
        List<string> texts;
        bool single;
        string? problem;
        try
        {
            (texts, single, problem) = ReadTexts(body, limits);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json transcodes strings when they are read: bytes that are not UTF-8, or an
            // escaped surrogate without its pair ("\ud800"), fail only then.
            return Error(StatusCodes.Status400BadRequest, $"a string in the body cannot be read as text: {e.Message}");
        }
        if (problem is not null)
        {
            return Error(StatusCodes.Status400BadRequest, problem);
        }
        var results = new JsonArray(texts.Zip(model.Score(texts), (text, score) => (JsonNode?)PredictCommand.AddPrediction(
            new JsonObject { ["text"] = text }, score, model.Classifier.LabelNames, model.Classifier.LabelNames.Count)).ToArray());
        return Results.Text((single ? results[0]! : new JsonObject { ["predictions"] = results }).ToJsonString(), "application/json");
    }

    private static (List<string> Texts, bool Single, string? Problem) ReadTexts(JsonNode? body, ServerLimits limits)
    {
        if (body is not JsonObject obj)
        {
            return ([], false, "expected a JSON object: {\"text\": \"...\"} or {\"texts\": [\"...\", ...]}");
        }
        List<string> texts;
        bool single = obj.ContainsKey("text");
        // Both would answer one and silently drop the other.
        if (single && obj.ContainsKey("texts")) return ([], true, "give \"text\" or \"texts\", not both");
        if (single)
        {
            if (obj["text"] is not JsonValue v || !v.TryGetValue(out string? text)) return ([], true, "\"text\" must be a string");
            texts = [text];
        }
        else if (obj["texts"] is JsonArray array)
        {
            texts = [];
            foreach (var item in array)
            {
                if (item is not JsonValue v || !v.TryGetValue(out string? text)) return ([], false, $"\"texts\"[{texts.Count}] must be a string");
                texts.Add(text);
            }
            if (texts.Count == 0) return ([], false, "\"texts\" is empty");
        }
        else
        {
            return ([], false, "expected \"text\" (a string) or \"texts\" (an array of strings)");
        }
        if (texts.Count > limits.MaxTexts) return ([], single, $"{texts.Count} texts in one request; at most {limits.MaxTexts}");
        int tooLong = texts.FindIndex(t => t.Length > limits.MaxTextLength);
        if (tooLong >= 0) return ([], single, $"text {tooLong} has {texts[tooLong].Length} characters; at most {limits.MaxTextLength}");
        return (texts, single, null);
    }

    private static IResult Error(int status, string message) =>
        Results.Json(new JsonObject { ["error"] = message, ["status"] = status }, statusCode: status);
}
