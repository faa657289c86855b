using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: PlainOnnxConsumer MODEL.onnx DATA.tsv TEXT_COLUMN
// Prints the predicted label of every row of a tab-separated file with a header, one per line, from
// an ONNX model whose input is the text ("Text", as seqclassify export writes a model whose tokenizer
// exports) and whose output is PredictedLabel.output.
var ml = new MLContext(seed: 1);
string[] header = File.ReadLines(args[1]).First().Split('\t');
int column = Array.IndexOf(header, args[2]);
if (column < 0)
{
    Console.Error.WriteLine($"{args[1]} has no column '{args[2]}'");
    return 2;
}
var data = ml.Data.LoadFromTextFile(args[1], new TextLoader.Options
{
    Columns = [new TextLoader.Column("Text", DataKind.String, column)],
    HasHeader = true,
    Separators = ['\t'],
    AllowQuoting = false,
});
var onnx = ml.Transforms.ApplyOnnxModel(outputColumnNames: ["PredictedLabel.output"], inputColumnNames: ["Text"], modelFile: args[0]);
var scored = onnx.Fit(data).Transform(data);
// ApplyOnnxModel names the column after the graph's output without ML.NET's ".output" suffix.
foreach (var label in scored.GetColumn<VBuffer<ReadOnlyMemory<char>>>("PredictedLabel"))
{
    Console.WriteLine(label.GetItemOrDefault(0).ToString());
}
return 0;
