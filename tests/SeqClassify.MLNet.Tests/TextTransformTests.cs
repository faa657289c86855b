using System.Text.Json;
using SeqClassify.MLNet.Text;

namespace SeqClassify.MLNet.Tests;

[TestFixture]
public class TextTransformTests
{
    private sealed record TokenCase(string Text, string[] Tokens);

    private static IEnumerable<TestCaseData> BasicEnglishCases() =>
        JsonSerializer.Deserialize<TokenCase[]>(File.ReadAllText(TestData.Fixture("basic_english.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!
        .Select(c => new TestCaseData(c.Text, c.Tokens).SetArgDisplayNames(c.Text.Length > 20 ? c.Text[..20] : c.Text));

    [TestCaseSource(nameof(BasicEnglishCases))]
    public void BasicEnglishMatchesTheReferenceTokenizer(string text, string[] expected)
    {
        Assert.That(BasicEnglishTokenizer.Tokenize(text), Is.EqualTo(expected));
    }

    [Test]
    public void TokenizerOutputSchemaIsAVectorOfText()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "a b" } });
        var schema = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").GetOutputSchema(data.Schema);

        Assert.That(schema["Tokens"].Type, Is.EqualTo(new VectorDataViewType(TextDataViewType.Instance)));
        Assert.That(schema["Text"].Type, Is.EqualTo(TextDataViewType.Instance), "the input stays");
    }

    [TestCase(TokenizerRule.Separators, "a,b  c", new[] { "a,b", "c" })]
    [TestCase(TokenizerRule.Characters, "ab c", new[] { "a", "b", " ", "c" })]
    [TestCase(TokenizerRule.BasicEnglish, "Hi, you!", new[] { "hi", ",", "you", "!" })]
    public void TokenizerRulesSplitAsDocumented(TokenizerRule rule, string text, string[] expected)
    {
        var ml = new MLContext();
        var tokenizer = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", rule).Fit(ml.Data.LoadFromEnumerable(new[] { new TextInput() }));
        Assert.That(tokenizer.Tokenize(text), Is.EqualTo(expected));
    }

    [Test]
    public void CustomSeparatorsAndRegexRules()
    {
        var ml = new MLContext();
        var empty = ml.Data.LoadFromEnumerable(new[] { new TextInput() });
        var separators = ml.Transforms.Text.TokenizeIntoWords("T", "Text", separators: [',', ';']).Fit(empty);
        var regex = ml.Transforms.Text.TokenizeIntoWords("T", "Text", TokenizerRule.Regex, pattern: @"\w+|[^\w\s]").Fit(empty);

        Assert.That(separators.Tokenize("a,b;;c d"), Is.EqualTo(new[] { "a", "b", "c d" }));
        Assert.That(regex.Tokenize("don't stop!"), Is.EqualTo(new[] { "don", "'", "t", "stop", "!" }));
        Assert.That(() => ml.Transforms.Text.TokenizeIntoWords("T", "Text", TokenizerRule.Regex, pattern: "(unclosed"),
            Throws.ArgumentException.With.Message.Contains("not a valid regular expression"));
    }

    [Test]
    public void NormalizeTextHandlesCaseDiacriticsPunctuationAndNumbers()
    {
        var ml = new MLContext();
        var empty = ml.Data.LoadFromEnumerable(new[] { new TextInput() });
        var normalizer = ml.Transforms.Text.NormalizeText("Text", keepDiacritics: false, keepPunctuations: false, keepNumbers: false).Fit(empty);

        Assert.That(normalizer.Normalize("Crème Brûlée, 2 for £5!"), Is.EqualTo("creme brulee  for £"));
        Assert.That(normalizer.Normalize(null), Is.EqualTo(""));
    }

    [Test]
    public void VocabularyReservesPadAndUnknownAndCountsFrequencies()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new TextInput { Text = "b a b c" }, new TextInput { Text = "b a d" },
        });
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(data).Transform(data);

        var vocabulary = ml.Transforms.Text.MapTokensToIds(minimumFrequency: 2).Fit(tokens);

        Assert.That(vocabulary.Vocabulary.Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "b", "a" }), "by frequency, then ordinal");
        Assert.That(vocabulary.Map(["a", "zzz", "b"]), Is.EqualTo(new long[] { 3, 1, 2 }));
        Assert.That(vocabulary.Map([]), Is.EqualTo(new long[] { 1 }), "an empty text is a single <unk>");
        Assert.That(vocabulary.Vocabulary.Decode([2, 3, 1, 0]), Is.EqualTo("b a <unk> <pad>"));
        var schema = vocabulary.GetOutputSchema(tokens.Schema);
        Assert.That(schema["Ids"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Int64)));
        Assert.That(schema["Ids"].KeyValues, Is.EqualTo(vocabulary.Vocabulary.Tokens));
        Assert.That(schema["Length"].Type, Is.EqualTo(NumberDataViewType.Int32));
    }

    [Test]
    public void VocabularyMaximumSizeKeepsTheMostFrequent()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "x x x y y z" } });
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(data).Transform(data);

        var vocabulary = ml.Transforms.Text.MapTokensToIds(maximumSize: 3, lowerCase: true).Fit(tokens);

        Assert.That(vocabulary.Vocabulary.Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "x" }));
        Assert.That(vocabulary.Map(["X", "y"]), Is.EqualTo(new long[] { 2, 1 }));
    }

    [TestCase(TruncationPolicy.KeepHead, new long[] { 2, 3, 4 })]
    [TestCase(TruncationPolicy.KeepTail, new long[] { 5, 6, 7 })]
    [TestCase(TruncationPolicy.KeepHeadAndTail, new long[] { 2, 3, 7 })]
    public void TruncationKeepsTheChosenPart(TruncationPolicy policy, long[] expected)
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "a b c d e f" } });
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(data).Transform(data);

        var vocabulary = ml.Transforms.Text.MapTokensToIds(maximumLength: 3, truncation: policy).Fit(tokens);

        // All six tokens occur once, so ids follow ordinal order: a=2 ... f=7.
        Assert.That(vocabulary.Map(["a", "b", "c", "d", "e", "f"]), Is.EqualTo(expected));
        var row = vocabulary.Transform(tokens).GetRows().Single();
        Assert.That(row.GetValue<int>("Length"), Is.EqualTo(3));
    }

    [Test]
    public void LabelsMapToStableKeysAndBack()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new LabeledText { Label = "spam" }, new LabeledText { Label = "ham" }, new LabeledText { Label = "spam" },
        });

        var byOccurrence = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data);
        var byValue = ml.Transforms.Conversion.MapValueToKey("Key", "Label", Conversion.KeyOrdinality.ByValue).Fit(data);
        var keyed = byValue.Transform(data);
        var back = ml.Transforms.Conversion.MapKeyToValue("Name", "Key").Fit(keyed).Transform(keyed);

        Assert.That(byOccurrence.KeyNames, Is.EqualTo(new[] { "spam", "ham" }));
        Assert.That(byValue.KeyNames, Is.EqualTo(new[] { "ham", "spam" }));
        Assert.That(keyed.Schema["Key"].Type, Is.EqualTo(new KeyDataViewType(2)));
        Assert.That(keyed.GetRows().Select(r => r.GetValue<uint>("Key")), Is.EqualTo(new uint[] { 2, 1, 2 }));
        Assert.That(back.GetRows().Select(r => r.GetValue<string>("Name")), Is.EqualTo(new[] { "spam", "ham", "spam" }));
    }

    [Test]
    public void IntegerLabelsMapToKeys()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new IntLabel { Label = 4 }, new IntLabel { Label = 1 }, new IntLabel { Label = 4 } });

        var keys = ml.Transforms.Conversion.MapValueToKey("Key", "Label", Conversion.KeyOrdinality.ByValue).Fit(data);

        Assert.That(keys.KeyNames, Is.EqualTo(new[] { "1", "4" }));
        Assert.That(keys.Transform(data).GetRows().Select(r => r.GetValue<uint>("Key")), Is.EqualTo(new uint[] { 2, 1, 2 }));
    }

    public sealed class IntLabel
    {
        public int Label { get; set; }
    }
}
