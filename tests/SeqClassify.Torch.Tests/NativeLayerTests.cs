using System.Text.RegularExpressions;
using SeqClassify.Testing;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// Issue 30, item 5: native/ as layers. The C ABI (abi/: its headers and the definitions of its exports, both
/// the engine's and the Gloo plugin's) sits over model/, kernels/, platform/ and distributed/, none of which
/// includes an ABI header: the types the ABI passes through unchanged are those layers' own plain-C headers
/// (model/sc_model_types.h, distributed/sc_process_group_types.h), and the C++ errors are platform/sc_errors.h.
/// </summary>
[TestFixture]
public class NativeLayerTests
{
    private static string Native => Path.Combine(RepositoryPaths.Root, "src", "SeqClassify.Torch", "native");

    private static readonly string[] Layers = ["kernels", "platform", "model", "distributed"];

    private static IEnumerable<string> FilesOf(string layer) =>
        Directory.EnumerateFiles(Path.Combine(Native, layer), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    private static string Relative(string file) => Path.GetRelativePath(Native, file).Replace('\\', '/');

    [Test]
    public void OnlyTheAbiLayerIncludesTheAbisHeaders()
    {
        var abiHeaders = Directory.GetFiles(Path.Combine(Native, "abi"), "*.h").Select(Path.GetFileName).ToHashSet();
        var found = new List<string>();
        foreach (string file in Layers.SelectMany(FilesOf))
        {
            foreach (Match include in Regex.Matches(File.ReadAllText(file), "^#include \"([^\"]+)\"", RegexOptions.Multiline))
            {
                if (abiHeaders.Contains(include.Groups[1].Value)) found.Add($"{Relative(file)}: {include.Groups[1].Value}");
            }
        }

        Assert.That(abiHeaders, Does.Contain("sc_model.h").And.Contain("sc_status.h"), "the scan looks where the ABI is");
        Assert.That(found, Is.Empty, "no layer below abi/ includes an ABI header");
    }

    // Each export (SC_API, or a C linkage definition) is defined in abi/, the library's one face.
    [Test]
    public void EveryExportIsDefinedInTheAbiLayer()
    {
        var exports = new Regex(@"\bSC_API\b|extern ""C"" (?!\{)", RegexOptions.Multiline);
        var found = Layers.SelectMany(FilesOf).Where(f => exports.IsMatch(File.ReadAllText(f))).Select(Relative).ToList();
        var inAbi = FilesOf("abi").Where(f => f.EndsWith(".cpp", StringComparison.Ordinal) && exports.IsMatch(File.ReadAllText(f))).Select(Relative).ToList();

        Assert.That(inAbi, Does.Contain("abi/sc_gloo_plugin.cpp").And.Contain("abi/sc_status.cpp"), "the scan finds exports where they are");
        Assert.That(found, Is.Empty, "exports below abi/");
    }

    // What the headers declare is what the library exports: a definition that lost its header's
    // declaration is built hidden (the visibility preset), and the managed side would find no entry point.
    [Test]
    public void EveryFunctionTheEngineHeadersDeclareIsExported()
    {
        var declared = Directory.GetFiles(Path.Combine(Native, "abi"), "*.h")
            .Where(h => Path.GetFileName(h) != "sc_gloo_plugin.h") // the plugin's own library
            .SelectMany(h => Regex.Matches(File.ReadAllText(h), @"^SC_API [^(]*?\b(sc_\w+)\(", RegexOptions.Multiline).Select(m => m.Groups[1].Value))
            .ToList();
        var library = System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, Interop.NativeLibraryName.FileName));

        Assert.That(declared, Has.Count.GreaterThan(30).And.Contain("sc_process_group_available"));
        Assert.That(declared.Where(name => !System.Runtime.InteropServices.NativeLibrary.TryGetExport(library, name, out _)), Is.Empty,
            "declared in abi/ but not exported");
    }
}
