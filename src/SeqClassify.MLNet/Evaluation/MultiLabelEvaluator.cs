using Microsoft.ML;
using Microsoft.ML.Data;

namespace SeqClassify.MLNet.Evaluation;

/// <summary>Reads a scored view of a multi-label model (the label sets, the probabilities, the predicted sets) into <see cref="MultiLabelMetrics"/>.</summary>
internal static class MultiLabelEvaluator
{
    public static MultiLabelMetrics Evaluate(IDataView data, string labelColumnName, string scoreColumnName, string predictedLabelColumnName)
    {
        var label = ColumnChecks.Require(data.Schema, labelColumnName, "a vector of keys (each row's labels)", t => t is VectorDataViewType { ItemType: KeyDataViewType });
        var score = ColumnChecks.Require(data.Schema, scoreColumnName, "a vector of Single (each label's probability)",
            t => t is VectorDataViewType { ItemType: NumberDataViewType n, Size: > 0 } && n.RawType == typeof(float));
        var predicted = ColumnChecks.Require(data.Schema, predictedLabelColumnName, "a vector of keys (the predicted labels)", t => t is VectorDataViewType { ItemType: KeyDataViewType });
        int labels = ((VectorDataViewType)score.Type).Size;
        VBuffer<ReadOnlyMemory<char>> slots = default;
        var names = score.HasSlotNames() ? ReadSlotNames(score, ref slots) : Enumerable.Range(1, labels).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var truth = new List<float>();
        var probabilities = new List<float>();
        var sets = new List<bool>();
        using var cursor = data.GetRowCursor([label, score, predicted]);
        var labelGetter = cursor.GetGetter<VBuffer<uint>>(label);
        var scoreGetter = cursor.GetGetter<VBuffer<float>>(score);
        var predictedGetter = cursor.GetGetter<VBuffer<uint>>(predicted);
        VBuffer<uint> keys = default, predictedKeys = default;
        VBuffer<float> values = default;
        while (cursor.MoveNext())
        {
            labelGetter(ref keys);
            scoreGetter(ref values);
            predictedGetter(ref predictedKeys);
            var row = new float[labels];
            // A key 0 is a label the model does not know: it cannot be predicted, and is left out, as ML.NET's evaluators leave out unknown labels.
            foreach (uint key in keys.DenseValues()) if (key >= 1 && key <= labels) row[key - 1] = 1;
            var chosen = new bool[labels];
            foreach (uint key in predictedKeys.DenseValues()) if (key >= 1 && key <= labels) chosen[key - 1] = true;
            truth.AddRange(row);
            probabilities.AddRange(values.DenseValues());
            sets.AddRange(chosen);
        }
        return MultiLabelMetrics.Compute(truth, probabilities, sets, names, null);
    }

    private static string[] ReadSlotNames(DataViewSchema.Column score, ref VBuffer<ReadOnlyMemory<char>> slots)
    {
        score.GetSlotNames(ref slots);
        return slots.DenseValues().Select(s => s.ToString()).ToArray();
    }
}
