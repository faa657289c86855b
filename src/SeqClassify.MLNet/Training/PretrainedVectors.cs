using System.Globalization;
using SeqClassify.MLNet.Text;

namespace SeqClassify.MLNet.Training;

/// <summary>
/// Reads word vectors from a GloVe, word2vec or fastText .vec text file ("token v1 v2 ..." per
/// line; word2vec and fastText start with a "count dimension" header) into an embedding matrix.
/// </summary>
internal static class PretrainedVectors
{
    public sealed record Result(float[] Matrix, int Dimension, int Found);

    /// <summary>
    /// The [vocabulary x dimension] matrix: the file's vector for each token it has, a seeded
    /// N(0, 1) vector (nn.Embedding's initialisation) for the others, zeros for &lt;pad&gt;.
    /// </summary>
    public static Result Load(string path, Vocabulary vocabulary, int seed)
    {
        using var reader = new StreamReader(path);
        int dimension = 0;
        float[]? matrix = null;
        var filled = new bool[vocabulary.Count];
        int found = 0;
        long lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            // Most of a large file's words are not in the vocabulary: look the word up before splitting the numbers.
            int firstSpace = line.IndexOf(' ');
            if (lineNumber > 1 && dimension > 0 && firstSpace > 0 && vocabulary.IdOf(line[..firstSpace]) <= 1) continue;
            var parts = line.TrimEnd().Split(' ');
            if (lineNumber == 1 && parts.Length == 2 && int.TryParse(parts[0], out _) && int.TryParse(parts[1], out int declared))
            {
                dimension = declared;  // the word2vec / fastText header
                continue;
            }
            if (parts.Length < 2) continue;
            if (dimension == 0) dimension = parts.Length - 1;
            if (parts.Length - 1 != dimension)
            {
                throw new FormatException($"{path}:{lineNumber}: {parts.Length - 1} values, but the vectors have {dimension}.");
            }
            matrix ??= new float[vocabulary.Count * dimension];
            long id = vocabulary.IdOf(parts[0]);
            if (id <= 1 || filled[id]) continue;
            for (int d = 0; d < dimension; d++)
            {
                if (!float.TryParse(parts[d + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    throw new FormatException($"{path}:{lineNumber}: value {d + 1} ('{parts[d + 1]}') of '{parts[0]}' is not a finite number.");
                }
                matrix[id * dimension + d] = value;
            }
            filled[id] = true;
            found++;
        }
        if (matrix is null)
        {
            throw new FormatException($"{path}: no word vectors found.");
        }
        var random = new Random(seed);
        for (int id = 1; id < vocabulary.Count; id++)
        {
            if (filled[id]) continue;
            for (int d = 0; d < dimension; d++)
            {
                // Box-Muller: a standard normal from two uniforms.
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                matrix[id * dimension + d] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        }
        return new Result(matrix, dimension, found);
    }
}
