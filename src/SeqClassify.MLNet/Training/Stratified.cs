namespace SeqClassify.MLNet.Training;

/// <summary>Stratified splits: each class is divided in the same proportion.</summary>
internal static class Stratified
{
    public static (List<int> Train, List<int> Test) Split(IReadOnlyList<int> labels, double testFraction, int seed)
    {
        var random = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            int testCount = (int)Math.Round(rows.Length * testFraction);
            test.AddRange(rows[..testCount]);
            train.AddRange(rows[testCount..]);
        }
        train.Sort();
        test.Sort();
        return (train, test);
    }

    /// <summary>k folds, each class spread evenly across them.</summary>
    public static List<int>[] Folds(IReadOnlyList<int> labels, int k, int seed)
    {
        var random = new Random(seed);
        var folds = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        int next = 0;
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            foreach (int row in rows)
            {
                folds[next++ % k].Add(row);
            }
        }
        foreach (var fold in folds) fold.Sort();
        return folds;
    }
}
