using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SeqClassify.MLNet.Text;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// The trainer's side of data-parallel training (<see cref="SequenceClassificationOptions.ProcessGroup"/>): what
/// every rank must agree on before training (seed, data, vocabulary, labels), which rows of each
/// global batch are this rank's, and the validation scores every rank needs to decide alike. Without
/// a group (<see cref="Single"/>) each method is the one-process case, so the training loop has one path.
/// </summary>
internal sealed class DataParallel
{
    private readonly ProcessGroup? _group;

    private DataParallel(ProcessGroup? group) => _group = group;

    public static DataParallel Single { get; } = new(null);

    public static DataParallel Over(ProcessGroup? group) => group is null ? Single : new DataParallel(group);

    public int Rank => _group?.Rank ?? 0;

    public int Ranks => _group?.WorldSize ?? 1;

    public ProcessGroup? Group => _group;

    /// <summary>Rank 0's seed, on every rank: shuffling and splits must be the same everywhere.</summary>
    public int AgreeOnSeed(int seed)
    {
        if (_group is null) return seed;
        long[] value = [Rank == 0 ? seed : 0];
        _group.AllReduce(value, ReduceOperation.Sum);
        return (int)value[0];
    }

    /// <summary>
    /// Checks that every rank read the same rows and built the same vocabulary and label keys (each
    /// rank reads the whole data and trains on its shard of each epoch, so they must); throws, alike on
    /// every rank, naming the ranks that differ from rank 0.
    /// </summary>
    public void CheckSameData(Examples train, Examples? validation, Vocabulary? vocabulary, LabelClasses classes)
    {
        if (_group is null) return;
        (string What, long Digest)[] facts =
        [
            ("vocabulary", Digest(h => { foreach (var token in vocabulary?.Tokens ?? []) AddText(h, token); })),
            ("label keys", Digest(h => { foreach (var name in classes.Names) AddText(h, name); })),
            ("training data", Digest(h => { AddExamples(h, train); if (validation is not null) AddExamples(h, validation); })),
        ];
        // Each rank's digests in its own slots; the sum gathers them all.
        var all = new long[Ranks * facts.Length];
        for (int f = 0; f < facts.Length; f++) all[Rank * facts.Length + f] = facts[f].Digest;
        _group.AllReduce(all, ReduceOperation.Sum);
        for (int f = 0; f < facts.Length; f++)
        {
            var differing = Enumerable.Range(1, Ranks - 1).Where(r => all[r * facts.Length + f] != all[f]).ToList();
            if (differing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The {facts[f].What} differs between ranks: rank{(differing.Count > 1 ? "s" : "")} {string.Join(", ", differing)} " +
                    $"{(differing.Count > 1 ? "have" : "has")} other {facts[f].What} than rank 0. Every rank must read the same training data " +
                    "with the same options (file, tokenizer, minimum frequency, maximum length, validation split): each trains on its own shard of it.");
            }
        }
    }

    /// <summary>The number of rows a global batch has for this trainer's batch size: one batch per rank.</summary>
    public int GlobalBatchSize(int batchSize) => batchSize * Ranks;

    /// <summary>This rank's part of a global batch: an even, contiguous split (empty when it has fewer rows than ranks).</summary>
    public int[] ShardOf(int[] globalBatch)
    {
        int start = (int)((long)globalBatch.Length * Rank / Ranks), end = (int)((long)globalBatch.Length * (Rank + 1) / Ranks);
        return globalBatch[start..end];
    }

    /// <summary>
    /// Class probabilities of every validation row ([rows x classes]), each rank scoring every
    /// Ranks-th row: every rank then holds the same figures, bit for bit, and decides alike.
    /// </summary>
    public float[] ScoreAll(Examples examples, int classes, Func<Examples, float[]> score)
    {
        if (_group is null) return score(examples);
        var mine = Enumerable.Range(0, examples.Count).Where(r => r % Ranks == Rank).ToArray();
        var scored = mine.Length > 0 ? score(examples.Subset(mine)) : [];
        var all = new float[examples.Count * classes];
        for (int i = 0; i < mine.Length; i++) Array.Copy(scored, i * classes, all, mine[i] * classes, classes);
        _group.AllReduce(all, ReduceOperation.Sum);
        return all;
    }

    /// <summary>
    /// Ranks agree whether to stop every this many steps: each agreement is a collective of its own,
    /// which costs a network round trip per ring hop on many machines; stopping 8 batches later costs nothing.
    /// </summary>
    public const int StopAgreementInterval = 8;

    /// <summary>
    /// Whether to stop before step <paramref name="step"/> (0-based): alone, when this process is
    /// cancelled; in a group, when any rank was, decided by all at the same step (every
    /// <see cref="StopAgreementInterval"/> steps), or the others would wait for the one that stopped.
    /// </summary>
    public bool ShouldStop(bool cancelled, int step)
    {
        if (_group is null) return cancelled;
        if (step % StopAgreementInterval != 0) return false;
        long[] flag = [cancelled ? 1 : 0];
        _group.AllReduce(flag, ReduceOperation.Max);
        return flag[0] != 0;
    }

    /// <summary>Throws if the replicas' parameters differ (a collective over a checksum of them).</summary>
    public void CheckReplicas(SequenceClassifierModel model, int step)
    {
        if (_group is null || model.ReplicasIdentical()) return;
        throw new InvalidOperationException($"After step {step}, the ranks' parameters differ: a rank trained on other data or settings, or the engine has a bug.");
    }

    private static long Digest(Action<IncrementalHash> add)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        add(hash);
        // 63 bits: the slots are summed as signed 64-bit integers, each rank's alone in its slot.
        return BitConverter.ToInt64(hash.GetHashAndReset(), 0) & long.MaxValue;
    }

    private static void AddText(IncrementalHash hash, string text)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        hash.AppendData([0]);
    }

    private static void AddExamples(IncrementalHash hash, Examples examples)
    {
        hash.AppendData(MemoryMarshal.AsBytes(examples.Labels.AsSpan()));
        for (int row = 0; row < examples.Count; row++)
        {
            if (examples.Ids is { } ids) hash.AppendData(MemoryMarshal.AsBytes(ids[row].AsSpan()));
            else hash.AppendData(MemoryMarshal.AsBytes(examples.Features![row].AsSpan()));
            hash.AppendData(BitConverter.GetBytes(examples.LengthOf(row)));
        }
    }
}
