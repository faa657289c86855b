using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.Cli;

/// <summary>
/// A regression's labels as the file gives them: each must be a finite number (invariant culture: "3.8"),
/// checked before training so that the error names the file and the data row, not a NaN the trainer meets.
/// </summary>
internal static class RegressionLabels
{
    public static void Check(IDataView data, string path)
    {
        long row = 0;
        foreach (string? label in data.GetColumn<string>("Label"))
        {
            row++;
            if (!float.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            {
                throw new InvalidDataException($"{path}: data row {row:N0}: the label '{label}' is not a number (--task regression reads a score per row, e.g. 3.8)");
            }
        }
    }
}
