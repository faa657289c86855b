using System.Text.RegularExpressions;
using SeqClassify.MLNet.Onnx;
using SeqClassify.Testing;
using SeqClassify.Torch;

namespace SeqClassify.MLNet.Tests.Onnx;

/// <summary>
/// Issue 30, item 6: the ONNX graph is one of the layers an option reaches. Every network option is either read
/// by the graph builders or listed with the reason it is not in the graph (GraphOptions), and the builders read
/// exactly the options listed as read: a new option that changes predictions fails here until the graph reads it.
/// </summary>
[TestFixture]
public class GraphOptionTests
{
    private static readonly string[] Builders = ["ClassifierGraph.cs", "RecurrentGraph.cs", "TransformerGraph.cs"];

    [Test]
    public void EveryNetworkOptionIsReadByTheGraphOrSaysWhyNot()
    {
        var options = typeof(SequenceModelOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).ToList();

        Assert.That(GraphOptions.Read.Intersect(GraphOptions.NotInTheGraph.Keys), Is.Empty, "an option is read or not, not both");
        Assert.That(GraphOptions.Read.Concat(GraphOptions.NotInTheGraph.Keys), Is.EquivalentTo(options));
    }

    [Test]
    public void TheBuildersReadExactlyTheOptionsListedAsRead()
    {
        string folder = Path.Combine(RepositoryPaths.Root, "src", "SeqClassify.MLNet", "Onnx");
        var read = Builders.SelectMany(file => Regex.Matches(File.ReadAllText(Path.Combine(folder, file)), @"\bo\.([A-Z][A-Za-z]+)").Select(m => m.Groups[1].Value))
            .ToHashSet();

        Assert.That(read, Is.EquivalentTo(GraphOptions.Read));
    }
}
