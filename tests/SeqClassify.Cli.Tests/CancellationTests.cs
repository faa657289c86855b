namespace SeqClassify.Cli.Tests;

[TestFixture]
public class CancellationTests
{
    [Test]
    public void CancellingTrainingKeepsALoadableModelAndSaysSo()
    {
        string model = Path.Combine(Cli.Scratch(), "cancelled.zip");
        using var cancel = new CancellationTokenSource();
        // Cancel as soon as the first epoch is done, as Ctrl+C would: the token is the one Ctrl+C triggers.
        var output = new StringWriter();
        var watcher = Task.Run(async () =>
        {
            while (!output.ToString().Contains("epoch 1/")) await Task.Delay(20);
            cancel.Cancel();
        });
        var error = new StringWriter();
        int code = CliApp.Run(["train", "--pretrained", "none", "--train", Cli.SmsSlice(), "--no-header", "--text-column", "1", "--label-column", "0",
            "--valid-fraction", "0.2", "--epochs", "50", "--hidden", "16", "--embedding-dim", "16", "--out", model],
            new CliConsole(new SynchronizedWriter(output), error, interactive: false), TextReader.Null, cancel.Token);
        watcher.Wait(TimeSpan.FromSeconds(5));

        Assert.That(code, Is.EqualTo(130));
        Assert.That(error.ToString(), Does.Contain("training cancelled").And.Contain(model));
        var info = Cli.Run("info", "--model", model);
        Assert.That(info.ExitCode, Is.EqualTo(0), info.Error);
        Assert.That(info.Out, Does.Contain("cancelled"));
    }

    private sealed class SynchronizedWriter(StringWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void Write(char value) { lock (inner) inner.Write(value); }
        public override void Write(string? value) { lock (inner) inner.Write(value); }
        public override void WriteLine(string? value) { lock (inner) inner.WriteLine(value); }
    }
}
