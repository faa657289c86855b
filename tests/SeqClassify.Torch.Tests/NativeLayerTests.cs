using System.Text.RegularExpressions;
using SeqClassify.Testing;

namespace SeqClassify.Torch.Tests;

/// <summary>
/// Issue 30, item 5: native/ as layers. The C ABI's headers (abi/) are included by the code that defines
/// exports and by nothing below it: the kernels and the platform code name what they need in their own
/// headers (kernels/sc_cell.h, platform/sc_errors.h). The model and distributed layers still include
/// abi/sc_model.h for its config struct and enums: listed here, so that the list can only shrink.
/// </summary>
[TestFixture]
public class NativeLayerTests
{
    private static string Native => Path.Combine(RepositoryPaths.Root, "src", "SeqClassify.Torch", "native");

    // Files below abi/ that still include an ABI header, and which (what is left of item 5).
    private static readonly string[] StillIncludingTheAbi =
    [
        "model/sc_batch.h: sc_model.h", "model/sc_classifier.h: sc_model.h", "model/sc_fused_rnn.h: sc_model.h", "model/sc_pooling.h: sc_model.h",
        "model/sc_transformer.h: sc_model.h", "distributed/sc_gloo_plugin.h: sc_distributed.h", "distributed/sc_gloo_plugin.h: sc_export.h",
        "distributed/sc_process_group.h: sc_distributed.h", "distributed/sc_process_group_plugin.cpp: sc_status.h",
        "distributed/gloo/sc_gloo_group.h: sc_distributed.h", "distributed/gloo/sc_gloo_plugin.cpp: sc_status.h",
    ];

    [Test]
    public void OnlyTheAbiLayerIncludesTheAbisHeaders()
    {
        var abiHeaders = Directory.GetFiles(Path.Combine(Native, "abi"), "*.h").Select(Path.GetFileName).ToHashSet();
        var found = new List<string>();
        foreach (string layer in new[] { "kernels", "platform", "model", "distributed" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(Native, layer), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                foreach (Match include in Regex.Matches(File.ReadAllText(file), "^#include \"([^\"]+)\"", RegexOptions.Multiline))
                {
                    if (abiHeaders.Contains(include.Groups[1].Value))
                    {
                        found.Add($"{Path.GetRelativePath(Native, file).Replace('\\', '/')}: {include.Groups[1].Value}");
                    }
                }
            }
        }

        Assert.That(found.Where(f => f.StartsWith("kernels/", StringComparison.Ordinal) || f.StartsWith("platform/", StringComparison.Ordinal)), Is.Empty,
            "the kernels and the platform code include no ABI header");
        Assert.That(found, Is.SubsetOf(StillIncludingTheAbi), "no new inclusion of an ABI header below abi/");
    }
}
