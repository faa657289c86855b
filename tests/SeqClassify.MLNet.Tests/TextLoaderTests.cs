using System.Text;

namespace SeqClassify.MLNet.Tests;

[TestFixture]
public class TextLoaderTests
{
    private static readonly TextLoader.Column[] ByName =
    [
        new("Label", TextDataViewType.Instance, SourceName: "label"),
        new("Text", TextDataViewType.Instance, SourceName: "text"),
    ];

    [Test]
    public void ReadsRfc4180QuotingWithQuotedNewlinesAndABom()
    {
        var ml = new MLContext();
        string path = TestData.WriteFile("\uFEFFid,label,text\r\n1,pos,\"He said \"\"hi\"\",\nthen left\"\r\n2,neg,plain\n");

        var rows = ml.Data.LoadFromTextFile(path, ByName, hasHeader: true).GetRows().ToList();

        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows[0].GetValue<string>("Text"), Is.EqualTo("He said \"hi\",\nthen left"));
        Assert.That(rows[1].GetValue<string>("Label"), Is.EqualTo("neg"));
    }

    [Test]
    public void SchemaComesBeforeAnyRowIsRead()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false);

        Assert.That(data.Schema.Select(c => c.ToString()), Is.EqualTo(new[] { "Label: Text", "Text: Text" }));
        Assert.That(data.GetRowCount(), Is.Null, "a file is streamed, not counted up front");
        Assert.That(data.GetRows().Count(), Is.EqualTo(5574));
    }

    [Test]
    public void ReadsTheImdbCsvByHeaderName()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromTextFile(Path.Combine(TestData.Datasets, "imdb", "test.csv"), ByName, hasHeader: true);

        var first = data.GetRows().Take(3).ToList();

        Assert.That(first.Select(r => r.GetValue<string>("Label")), Is.EqualTo(new[] { "neg", "pos", "neg" }));
        Assert.That(first[0].GetValue<string>("Text"), Has.Length.GreaterThan(100));
    }

    [Test]
    public void MalformedRowThrowsWithFileLineAndReasonByDefault()
    {
        var ml = new MLContext();
        string path = TestData.WriteFile("1,pos,good\n2,neg\n3,pos,fine\n");
        var columns = new TextLoader.Column[] { new("Label", TextDataViewType.Instance, 1), new("Text", TextDataViewType.Instance, 2) };

        var error = Assert.Throws<MalformedRecordException>(() => ml.Data.LoadFromTextFile(path, columns).GetRows().ToList());

        Assert.That(error!.Line, Is.EqualTo(2));
        Assert.That(error.Message, Does.StartWith(path + ":2:").And.Contain("2 field(s)").And.Contain("'Text'"));
    }

    [Test]
    public void SkippedRowsAreCountedAndLoggedNeverSilentlyDropped()
    {
        var ml = new MLContext();
        var log = new List<string>();
        ml.Log += (_, e) => log.Add(e.Message);
        string path = TestData.WriteFile("1,good\nx,bad\n3,\"broken\"quote\n4,fine\n");
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [new("Id", NumberDataViewType.Int32, 0), new("Text", TextDataViewType.Instance, 1)],
            SkipMalformedRows = true,
        });

        var rows = loader.Load(path).GetRows().ToList();

        Assert.That(rows.Select(r => r.GetValue<int>("Id")), Is.EqualTo(new[] { 1, 4 }));
        Assert.That(loader.SkippedRows, Is.EqualTo(2));
        Assert.That(log, Has.Some.Contains(":2:").And.Some.Contains("expects Int32, got \"x\""));
        Assert.That(log, Has.Some.Contains(":3:").And.Some.Contains("after its closing quote"));
        Assert.That(log, Has.Some.Contains("2 malformed row(s) skipped, 2 loaded"));
    }

    [Test]
    public void UnclosedQuoteIsReportedAtTheRecordsFirstLine()
    {
        var ml = new MLContext();
        string path = TestData.WriteFile("a,b\n\"open,c\nmore\n");
        var columns = new TextLoader.Column[] { new("A", TextDataViewType.Instance, 0) };

        var error = Assert.Throws<MalformedRecordException>(() => ml.Data.LoadFromTextFile(path, columns).GetRows().ToList());

        Assert.That(error!.Line, Is.EqualTo(2));
        Assert.That(error.Reason, Does.Contain("not closed"));
    }

    [Test]
    public void AHeaderNameThatDoesNotExistIsNamedWithTheHeader()
    {
        var ml = new MLContext();
        string path = TestData.WriteFile("label,text\npos,hi\n");
        var columns = new TextLoader.Column[] { new("Text", TextDataViewType.Instance, SourceName: "review") };

        Assert.That(() => ml.Data.LoadFromTextFile(path, columns, hasHeader: true).GetRows().ToList(),
            Throws.ArgumentException.With.Message.Contains("'review' is not in the header").And.Message.Contains("label, text"));
    }

    [Test]
    public void AMissingFileIsNamed()
    {
        var ml = new MLContext();
        Assert.That(() => ml.Data.LoadFromTextFile<LabeledText>("/no/such/file.csv"),
            Throws.TypeOf<FileNotFoundException>().With.Message.Contains("/no/such/file.csv"));
    }

    [Test]
    public void InvalidUtf8IsRefusedRatherThanGarbled()
    {
        var ml = new MLContext();
        string path = Path.Combine(TestData.ScratchDirectory(), "latin1.csv");
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("pos,caf"), 0xE9, (byte)'\n']);

        Assert.That(() => ml.Data.LoadFromTextFile<LabeledText>(path).GetRows().ToList(), Throws.TypeOf<DecoderFallbackException>());
    }

    [Test]
    public void TrainTestSplitIsStratifiedAndSeeded()
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false);

        var a = ml.Data.TrainTestSplit(data, 0.25, "Label");
        var b = ml.Data.TrainTestSplit(data, 0.25, "Label");
        var spamShare = ml.Data.CreateEnumerable<LabeledText>(a.TestSet).Average(r => r.Label == "spam" ? 1.0 : 0.0);

        Assert.That(spamShare, Is.EqualTo(747.0 / 5574).Within(0.002));
        Assert.That(ml.Data.CreateEnumerable<LabeledText>(a.TestSet).Select(r => r.Text),
            Is.EqualTo(ml.Data.CreateEnumerable<LabeledText>(b.TestSet).Select(r => r.Text)));
    }

    [Test]
    public void PreviewShowsColumnsByName()
    {
        var ml = new MLContext();
        var preview = ml.Data.Preview(ml.Data.LoadFromTextFile<LabeledText>(TestData.SmsSpam, separatorChar: '\t', allowQuoting: false), maxRows: 2);

        Assert.That(preview.RowView, Has.Count.EqualTo(2));
        Assert.That(preview.RowView[0][0], Is.EqualTo(KeyValuePair.Create("Label", (object?)"ham")));
    }
}
