namespace SeqClassify.Cli.Tests;

[TestFixture]
public class CancellationTests
{
    [Test]
    public void CancellingTrainingKeepsALoadableModelAndSaysSo()
    {
        string model = Path.Combine(Cli.Scratch(), "cancelled.zip");
        // Cancelled as soon as the first epoch is done, as Ctrl+C would: the token is the one Ctrl+C triggers.
        var result = Cli.RunAndCancelWhen(["train", "--pretrained", "none", "--train", Cli.SmsSlice(), "--no-header", "--text-column", "1", "--label-column", "0",
            "--valid-fraction", "0.2", "--epochs", "50", "--hidden", "16", "--embedding-dim", "16", "--out", model], "epoch 1/");

        Assert.That(result.ExitCode, Is.EqualTo(130), result.Error);
        Assert.That(result.Error, Does.Contain("training cancelled").And.Contain(model));
        var info = Cli.Run("info", "--model", model);
        Assert.That(info.ExitCode, Is.EqualTo(0), info.Error);
        Assert.That(info.Out, Does.Contain("cancelled"));
    }
}
