namespace Microsoft.ML;

/// <summary>Extensions of <see cref="MLContext"/> itself.</summary>
public static class SeqClassifyContextExtensions
{
    /// <summary>
    /// Asks every component of this context to stop: ML.NET's own CancelExecution, which ML.NET 5.0
    /// keeps internal. SeqClassify's trainer stops within one batch and Fit returns the best model so
    /// far; ML.NET's own components throw <see cref="OperationCanceledException"/>. Safe from any thread.
    /// </summary>
    /// <param name="context">The context to cancel.</param>
    public static void CancelExecution(this MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // This assembly compiles against publicized ML.NET, so this binds to MLContext's internal
        // instance method (not to this extension); callers compiled against ML.NET see only this one.
        context.CancelExecution();
    }
}
