using System.Diagnostics;

namespace SeqClassify.Torch.Tests;

/// <summary>`dotnet build` builds the shim with CMake only when its sources changed.</summary>
[TestFixture]
public class NativeBuildTests
{
    [Test]
    public void TheNativeTargetIsSkippedWhenNoSourceChanged()
    {
        string root = RepositoryPaths.Root;
        string project = Path.Combine(root, "src", "SeqClassify.Torch", "SeqClassify.Torch.csproj");
        string library = Directory.GetFiles(Path.Combine(root, "src", "SeqClassify.Torch", "obj", "native"), "libseqclassify_native.so", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        var before = File.GetLastWriteTimeUtc(library);

        var (code, output) = Run("dotnet", $"msbuild \"{project}\" -t:BuildNativeShim -v:detailed -nologo");

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("Skipping target \"BuildNativeShim\" because all output files are up-to-date"));
        Assert.That(output, Does.Not.Contain("cmake --build"));
        Assert.That(File.GetLastWriteTimeUtc(library), Is.EqualTo(before));
    }

    [Test]
    public void TheLibraryIsBesideTheAssemblyAndLoadsWithoutEnvironmentVariables()
    {
        Assert.That(File.Exists(Path.Combine(AppContext.BaseDirectory, "libseqclassify_native.so")));
        Assert.That(Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "", Does.Not.Contain("seqclassify"));
        Assert.That(TorchRuntime.EngineVersion, Is.Not.Empty);
    }

    // Issue 19, item 3: what ships needs only the C library. ldd lists the loader, libc and libm (and,
    // on an older glibc, libpthread/libdl); the C++ runtime is linked in, so no GLIBCXX or CXXABI
    // version is required of the machine.
    [Test]
    public void TheEngineNeedsNothingButTheCLibrary()
    {
        string library = Path.Combine(AppContext.BaseDirectory, "libseqclassify_native.so");
        var (code, output) = Run("ldd", library);
        Assert.That(code, Is.EqualTo(0), output);
        string[] allowed = ["linux-vdso.so.1", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "ld-linux-x86-64.so.2"];
        var needed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => Path.GetFileName(line.Trim().Split(' ')[0])).ToList();

        Assert.That(needed, Is.SubsetOf(allowed), output);
        var (_, symbols) = Run("objdump", $"-T {library}");
        Assert.That(symbols, Does.Not.Contain("GLIBCXX_").And.Not.Contain("CXXABI_"));
    }

    private static (int Code, string Output) Run(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
