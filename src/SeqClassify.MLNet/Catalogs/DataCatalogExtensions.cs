using Microsoft.ML.Data;
using SeqClassify.MLNet;
using SeqClassify.MLNet.Data;
using SeqClassify.MLNet.Training;

namespace Microsoft.ML;

/// <summary>What ML.NET's data catalog lacks for classification data: a stratified split.</summary>
public static class SeqClassifyDataCatalogExtensions
{
    /// <summary>
    /// Splits rows into a train and a test set with each class divided in the same proportion (seeded).
    /// ML.NET's TrainTestSplit with a sampling key keeps all rows of one key value on one side, which
    /// for a label column puts whole classes on one side; this divides every class.
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The rows.</param>
    /// <param name="testFraction">The fraction of each class that goes to the test set, in (0, 1).</param>
    /// <param name="labelColumnName">The column whose values are the classes (any type; compared as text).</param>
    /// <param name="seed">The seed; null = one drawn from the context's.</param>
    public static DataOperationsCatalog.TrainTestData StratifiedTrainTestSplit(this DataOperationsCatalog catalog, IDataView data,
        double testFraction = 0.1, string labelColumnName = "Label", int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        }
        var column = ColumnChecks.Require(data.Schema, labelColumnName, "a column of class values", t => t.RawType is not null);
        var strata = ReadStrata(data, column);
        var (train, test) = Stratified.Split(strata, testFraction, seed ?? CatalogUtils.GetEnvironment(catalog).Register(nameof(StratifiedTrainTestSplit)).Rand.Next());
        return new DataOperationsCatalog.TrainTestData(new RowSubsetDataView(data, [.. train]), new RowSubsetDataView(data, [.. test]));
    }

    /// <summary>Each row's class as a small integer, classes numbered by their text in ordinal order.</summary>
    private static int[] ReadStrata(IDataView data, DataViewSchema.Column column)
    {
        var values = new List<string>();
        using var cursor = data.GetRowCursor([column]);
        var read = typeof(SeqClassifyDataCatalogExtensions).GetMethod(nameof(MakeTextGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(column.Type.RawType);
        var getter = (Func<string>)read.Invoke(null, [cursor, column])!;
        while (cursor.MoveNext())
        {
            values.Add(getter());
        }
        var ids = values.Distinct().Order(StringComparer.Ordinal).Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i);
        return values.Select(v => ids[v]).ToArray();
    }

    private static Func<string> MakeTextGetter<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        };
    }
}
