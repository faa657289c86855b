using System.Text.Json;

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
    public void TheTokenizerTransformGivesAVariableVectorOfText()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "Hi, you!" }, new TextInput { Text = "" } });

        var transformed = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text", TokenizerRule.BasicEnglish).Fit(data).Transform(data);
        var tokens = transformed.GetColumn<string[]>("Tokens").ToList();

        Assert.That(transformed.Schema["Tokens"].Type, Is.EqualTo(new VectorDataViewType(TextDataViewType.Instance)));
        Assert.That(tokens[0], Is.EqualTo(new[] { "hi", ",", "you", "!" }));
        Assert.That(tokens[1], Is.Empty);
    }

    [Test]
    public void TheRegexRuleKeepsEveryMatch()
    {
        var ml = new MLContext();
        var empty = ml.Data.LoadFromEnumerable(new[] { new TextInput() });
        var regex = ml.Transforms.Text.TokenizeIntoWords("T", "Text", TokenizerRule.Regex, pattern: @"\w+|[^\w\s]").Fit(empty);

        Assert.That(regex.Tokenize("don't stop!"), Is.EqualTo(new[] { "don", "'", "t", "stop", "!" }));
        Assert.That(() => ml.Transforms.Text.TokenizeIntoWords("T", "Text", TokenizerRule.Regex, pattern: "(unclosed"),
            Throws.ArgumentException.With.Message.Contains("not a valid regular expression"));
        Assert.That(() => ml.Transforms.Text.TokenizeIntoWords("T", "Text", TokenizerRule.Regex),
            Throws.ArgumentException.With.Message.Contains("needs a pattern"));
    }

    [Test]
    public void PennTreebankEscapesAreUndone()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "-LRB- a \\/ b -rrb- \\*" } });

        var text = ml.Transforms.Text.UnescapePennTreebank("Text").Fit(data).Transform(data).GetColumn<string>("Text").Single();

        Assert.That(text, Is.EqualTo("( a / b ) *"));
    }

    [Test]
    public void MapTokensToIdsBuildsTheVocabularyByFrequencyAfterPadAndUnk()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new TextInput { Text = "b a b c" }, new TextInput { Text = "b a d" }, new TextInput { Text = "" },
        });
        // ML.NET's own tokenizer feeds SeqClassify's vocabulary.
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Text.MapTokensToIds("Ids", "Tokens", minimumFrequency: 2));

        var model = pipeline.Fit(data);
        var transformed = model.Transform(data);
        var vocabulary = model.LastTransformer.Vocabulary;

        Assert.That(vocabulary.Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "b", "a" }));
        Assert.That(transformed.Schema["Ids"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Int64)));
        Assert.That(transformed.GetColumn<long[]>("Ids"), Is.EqualTo(new[] { new long[] { 2, 3, 2, 1 }, [2, 3, 1], [1] }));
        Assert.That(transformed.GetColumn<int>("Length"), Is.EqualTo(new[] { 4, 3, 1 }));
        VBuffer<ReadOnlyMemory<char>> annotation = default;
        transformed.Schema["Ids"].Annotations.GetValue(TokenToIdMappingTransformer.VocabularyAnnotationKind, ref annotation);
        Assert.That(annotation.DenseValues().Select(t => t.ToString()), Is.EqualTo(vocabulary.Tokens), "ids decode through the annotation");
        Assert.That(vocabulary.Decode([2, 3, 9]), Is.EqualTo("b a <?9>"));
    }

    [TestCase(TruncationPolicy.KeepHead, new long[] { 2, 3, 4 })]
    [TestCase(TruncationPolicy.KeepTail, new long[] { 4, 5, 6 })]
    [TestCase(TruncationPolicy.KeepHeadAndTail, new long[] { 2, 3, 6 })]
    public void LongSequencesAreTruncatedByPolicy(TruncationPolicy policy, long[] expected)
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "a b c d e" } });
        var model = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Text.MapTokensToIds(new TokenToIdMappingOptions { MaximumLength = 3, Truncation = policy }))
            .Fit(data);

        Assert.That(model.Transform(data).GetColumn<long[]>("Ids").Single(), Is.EqualTo(expected));
    }

    [Test]
    public void LowerCaseAndMaximumSizeShapeTheVocabulary()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "A a B b b C" } });
        var model = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Text.MapTokensToIds(lowerCase: true, maximumSize: 3))
            .Fit(data);

        Assert.That(model.LastTransformer.Vocabulary.Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "b" }));
    }

    [Test]
    public void BadVocabularyOptionsAreRefusedByName()
    {
        var ml = new MLContext();
        Assert.That(() => ml.Transforms.Text.MapTokensToIds(minimumFrequency: 0),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MinimumFrequency"));
        Assert.That(() => ml.Transforms.Text.MapTokensToIds(maximumSize: 2),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MaximumSize"));
        Assert.That(() => ml.Transforms.Text.MapTokensToIds(maximumLength: -1),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MaximumLength"));
    }
}
