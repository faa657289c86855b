namespace SeqClassify.MLNet.Training;

/// <summary>The learning rate of each optimisation step under a schedule with linear warm-up.</summary>
internal static class LearningRates
{
    public static double At(int step, int totalSteps, double peak, LearningRateSchedule schedule, double warmupFraction)
    {
        int warmup = (int)Math.Ceiling(warmupFraction * totalSteps);
        if (step < warmup)
        {
            return peak * (step + 1) / warmup;
        }
        // At most 1: an epoch can have a few more batches than planned when the token budget splits one.
        double progress = totalSteps <= warmup ? 1 : Math.Min(1.0, (double)(step - warmup) / (totalSteps - warmup));
        return schedule switch
        {
            LearningRateSchedule.LinearDecay => peak * (1 - progress),
            LearningRateSchedule.Cosine => peak * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            _ => peak,
        };
    }
}
