using System.Reflection;
using System.Runtime.InteropServices;

namespace SeqClassify.Torch.Interop;

/// <summary>The shim's file name, without prefix and extension, as P/Invoke probes for it.</summary>
internal static class NativeLibraryName
{
    // libseqclassify_native.so (Linux) or seqclassify_native.dll (Windows) is copied beside the managed
    // assembly by the build, and a package consumer gets it from SeqClassify.Torch's runtimes/<rid>/native/.
    public const string Value = "seqclassify_native";

    /// <summary>The file on this platform.</summary>
    public static string FileName => OperatingSystem.IsWindows() ? "seqclassify_native.dll" : "libseqclassify_native.so";
}

/// <summary>
/// Loads the engine for the first native call, so that a failure is one <see cref="SeqClassifyException"/>
/// naming the library, the platform and what to do, not a bare DllNotFoundException from deep inside
/// a call (or a TypeInitializationException around one).
/// </summary>
internal static class NativeLibraryLoader
{
    private static int _registered;

    /// <summary>Registers the resolver for this assembly's P/Invokes (NativeMethods' static constructor calls it).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            System.Runtime.InteropServices.NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeLibraryName.Value) return IntPtr.Zero;
        try
        {
            return System.Runtime.InteropServices.NativeLibrary.Load(name, assembly, searchPath);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new SeqClassifyException(Explain(Reason(e.Message)), e);
        }
    }

    // .NET lists every path it probed, a line each ("path: why"): one line says as much. A file that
    // is there but fails (a missing dependency, an old glibc) is the reason; else where it looked.
    private static string Reason(string message)
    {
        var probes = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
            .Select(line => line.Split(": ", 2)).Where(parts => parts.Length == 2).ToList();
        const string absent = "cannot open shared object file: No such file or directory";
        if (probes.Count == 0) return message.Split('\n')[0].Trim();
        var failure = probes.FirstOrDefault(p => p[1] != absent);
        return failure is not null
            ? $"{failure[0]}: {failure[1]}."
            : $"not found in {string.Join(", ", probes.Select(p => Path.GetDirectoryName(p[0])).Distinct())}.";
    }

    private static string Explain(string reason)
    {
        string platform = $"{RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.RuntimeIdentifier}";
        bool x64 = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        string beside = $"If {NativeLibraryName.FileName} is not beside {Path.GetFileName(typeof(NativeLibraryLoader).Assembly.Location)} " +
            $"(or under runtimes/{(OperatingSystem.IsWindows() ? "win" : "linux")}-x64/native/ for a package), reference the SeqClassify.Torch package " +
            "(or project) from the application and build it again; ";
        string what = OperatingSystem.IsLinux() && x64
            ? "It is built for x64 Linux with glibc 2.36 or later (Debian 12, Ubuntu 23.04, Fedora 37 and later) and needs nothing else installed. " +
              beside + "if it is there, the reason above names the system library or glibc version that is missing."
            : OperatingSystem.IsWindows() && x64
            ? "It is built for x64 Windows and needs only Windows' own libraries. " + beside + "if it is there, the reason above says what failed."
            : $"SeqClassify's engine is built for x64 Linux and x64 Windows; {RuntimeInformation.ProcessArchitecture} {RuntimeInformation.OSDescription.Trim()} " +
              "has no build of it yet (README: platforms).";
        return $"SeqClassify's native engine ({NativeLibraryName.FileName}) cannot be loaded on {platform}: {reason.Trim()} {what}";
    }
}
