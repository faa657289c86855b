using System.Text;

namespace SeqClassify.MLNet.Tests;

[TestFixture]
public class DataViewTests
{
    public sealed class Renamed
    {
        [ColumnName("Text")] public string Body { get; set; } = "";
        [NoColumn] public string Ignored { get; set; } = "";
        public float Weight { get; set; }
    }

    [Test]
    public void LoadFromEnumerableUsesColumnNameAndNoColumnAttributes()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Renamed { Body = "hello", Ignored = "x", Weight = 2 } });

        Assert.That(data.Schema.Select(c => c.ToString()), Is.EqualTo(new[] { "Text: Text", "Weight: Single" }));
        Assert.That(data.GetRows().Single().GetValue<string>("Text"), Is.EqualTo("hello"));
        Assert.That(ml.Data.CreateEnumerable<Renamed>(data).Single().Body, Is.EqualTo("hello"));
    }

    [Test]
    public void CreateEnumerableRefusesAMemberOfTheWrongType()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Renamed { Body = "hello" } });

        Assert.That(() => ml.Data.CreateEnumerable<WrongType>(data).ToList(),
            Throws.InvalidOperationException.With.Message.Contains("reads column 'Weight' as Int32, but the column holds Single"));
    }

    [Test]
    public void NormalizationFormKcFoldsCompatibilityCharacters()
    {
        var ml = new MLContext();
        var empty = ml.Data.LoadFromEnumerable(new[] { new TextInput() });
        var kc = ml.Transforms.Text.NormalizeText("Text", caseMode: Text.TextNormalizingOptions.CaseMode.None, form: NormalizationForm.FormKC).Fit(empty);
        var c = ml.Transforms.Text.NormalizeText("Text", caseMode: Text.TextNormalizingOptions.CaseMode.None).Fit(empty);

        // The "ﬁ" ligature and full-width digits are compatibility characters.
        Assert.That(kc.Normalize("ﬁne ２０２４"), Is.EqualTo("fine 2024"));
        Assert.That(c.Normalize("ﬁne ２０２４"), Is.EqualTo("ﬁne ２０２４"));
        Assert.That(c.Normalize("e\u0301"), Is.EqualTo("\u00e9"), "FormC composes");
    }

    [Test]
    public void PennTreebankEscapesAreUndone()
    {
        var ml = new MLContext();
        var empty = ml.Data.LoadFromEnumerable(new[] { new TextInput() });
        var normalizer = ml.Transforms.Text.NormalizeText(new Text.TextNormalizingOptions { OutputColumnName = "Text", UnescapePennTreebank = true }).Fit(empty);

        Assert.That(normalizer.Normalize("a -lrb- good -rrb- film 1\\/2 \\* -LSB-x-RSB-"), Is.EqualTo("a ( good ) film 1/2 * [x]"));
    }

    public sealed class WrongType
    {
        public int Weight { get; set; }
    }
}

[TestFixture]
public class ColumnSelectionTests
{
    [Test]
    public void DropColumnsRemovesAndSelectColumnsKeepsInOrder()
    {
        var ml = new MLContext();
        var data = Pipelines.Sentences(ml);
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(data).Transform(data);

        var dropped = ml.Transforms.DropColumns("Tokens").Fit(tokens).Transform(tokens);
        var selected = ml.Transforms.SelectColumns("Tokens", "Label").Fit(tokens).Transform(tokens);

        Assert.That(dropped.Schema.Select(c => c.Name), Is.EqualTo(new[] { "Label", "Text" }));
        Assert.That(selected.Schema.Select(c => c.Name), Is.EqualTo(new[] { "Tokens", "Label" }));
        Assert.That(selected.GetRows().First().GetValue<string[]>("Tokens"), Is.EqualTo(new[] { "a", "wonderful", ",", "warm", "film" }));
        Assert.That(() => ml.Transforms.DropColumns("Nope").Fit(tokens), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'Nope' not found"));
    }

    [Test]
    public void APipelineWithDropColumnsSavesAndLoads()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds())
            .Append(ml.Transforms.DropColumns("Tokens"))
            .Append(ml.SequenceClassification.Trainers.Rnn(Pipelines.Small()))
            .Fit(data);
        string path = Path.Combine(TestData.ScratchDirectory(), "m.zip");

        ml.Model.Save(model, data.Schema, path);
        var loaded = ml.Model.Load(path, out _);

        Assert.That(loaded.Transform(data).Schema.GetColumnOrNull("Tokens"), Is.Null);
        Assert.That(loaded.Transform(data).GetRows().Select(r => r.GetValue<uint>("PredictedLabel")),
            Is.EqualTo(model.Transform(data).GetRows().Select(r => r.GetValue<uint>("PredictedLabel"))));
    }
}
