using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SeqClassify.Torch;

namespace SeqClassify.Cli.Tests;

/// <summary>
/// serve with a sentence-pair model (the tiny fine-tuned BERT imported with --pairs): POST /predict takes
/// "text" with "pair" (or "texts" with "pairs") and answers PyTorch's probabilities for the pair;
/// a body without its pairs, or with pairs for a single-text model, is a 400 that says what to give.
/// </summary>
[TestFixture]
public class PairServerTests
{
    private static string Pretrained => Path.Combine(RepositoryPaths.Root, "tests", "SeqClassify.Torch.Tests", "Pretrained");

    private InProcessServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void ImportAndServe()
    {
        string model = Path.Combine(Cli.Scratch(), "pairs.zip");
        var import = Cli.Run("import", "--pretrained-model", Path.Combine(Pretrained, "tiny-bert-classifier"), "--pairs", "--out", model);
        Assert.That(import.ExitCode, Is.EqualTo(0), import.Error);
        _server = InProcessServer.Start("--model", model, "--max-text-length", "100");
        _http = _server.Http;
    }

    [OneTimeTearDown]
    public void Stop()
    {
        var result = _server.Stop();
        Assert.That(result?.ExitCode, Is.EqualTo(0), result?.Error);
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> Post(JsonObject body)
    {
        var response = await _http.PostAsync("/predict", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Test]
    public async Task A_pair_is_scored_with_pytorchs_probabilities_alone_and_in_a_batch()
    {
        // The fixture's pair row (tests/fixtures/make_pretrained_fixtures.py): PyTorch's logits for it are row 1.
        var fixture = TensorArchive.Read(File.ReadAllBytes(Path.Combine(Pretrained, "tiny_transformers.sct"))).ToDictionary(t => t.Name);
        float[] logits = fixture["bert.logits"].Floats!.AsSpan(3, 3).ToArray();
        double[] expected = logits.Select(l => Math.Exp(l - logits.Max())).ToArray();
        expected = expected.Select(e => e / expected.Sum()).ToArray();

        var (status, one) = await Post(new JsonObject { ["text"] = "the plot was dull", ["pair"] = "but the acting is witty ." });
        var (batchStatus, batch) = await Post(new JsonObject
        {
            ["texts"] = new JsonArray("awful", "the plot was dull"),
            ["pairs"] = new JsonArray("great", "but the acting is witty ."),
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), one.ToJsonString());
        Assert.That(one["pair"]!.GetValue<string>(), Is.EqualTo("but the acting is witty ."));
        Assert.That(Probabilities(one), Is.EqualTo(expected).Within(1e-5));
        Assert.That(batchStatus, Is.EqualTo(HttpStatusCode.OK), batch.ToJsonString());
        var predictions = batch["predictions"]!.AsArray();
        Assert.That(predictions.Select(p => p!["pair"]!.GetValue<string>()), Is.EqualTo(new[] { "great", "but the acting is witty ." }));
        Assert.That(Probabilities(predictions[1]!), Is.EqualTo(expected).Within(1e-5));
    }

    private static double[] Probabilities(JsonNode prediction)
    {
        var top = prediction["top"]!.AsArray().ToDictionary(t => t!["label"]!.GetValue<string>(), t => t!["probability"]!.GetValue<double>());
        return [top["negative"], top["neutral"], top["positive"]];
    }

    [TestCase("{\"text\": \"a\"}", "this model reads sentence pairs: give \"pair\" beside \"text\"")]
    [TestCase("{\"texts\": [\"a\", \"b\"]}", "give \"pairs\" beside \"texts\", one per text")]
    [TestCase("{\"texts\": [\"a\", \"b\"], \"pairs\": [\"c\"]}", "2 texts and 1 pairs: give one pair per text")]
    [TestCase("{\"text\": \"a\", \"pairs\": [\"c\"]}", "give \"text\" with \"pair\", or \"texts\" with \"pairs\"")]
    [TestCase("{\"text\": \"a\", \"pair\": 3}", "\"pair\" must be a string")]
    public async Task A_body_without_its_pairs_is_refused_saying_what_to_give(string body, string message)
    {
        var response = await _http.PostAsync("/predict", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>(), Does.Contain(message));
    }

    [Test]
    public async Task A_pair_over_the_length_limit_is_refused_naming_it()
    {
        var (status, body) = await Post(new JsonObject { ["text"] = "short", ["pair"] = new string('x', 101) });

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["error"]!.GetValue<string>(), Is.EqualTo("pair 0 has 101 characters; at most 100"));
    }
}
