namespace SeqClassify.Cli.Tests;

/// <summary>
/// Waits for a state the server reaches on its own (a count dropping once an answer is written), with a
/// deadline far beyond it: a client may read the answer a moment before the server releases what it held.
/// </summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the server never got there: {what}");
            await Task.Delay(10);
        }
    }
}
