using System.Runtime.InteropServices;

namespace SeqClassify.Cli;

/// <summary>
/// What a path is on disk, links followed: a regular file, a folder, or something else (a device, a
/// FIFO, a socket). .NET reports all of these as "Normal" files, so the kind comes from statx(2), whose
/// layout is the same on every Linux architecture. Elsewhere (Windows) every existing file counts as regular.
/// </summary>
internal static partial class FileKind
{
    public enum Kind { Missing, Regular, Directory, Special }

    public static Kind Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Directory.Exists(path) ? Kind.Directory : File.Exists(path) ? Kind.Regular : Kind.Missing;
        }
        Span<byte> status = stackalloc byte[256];   // struct statx
        if (Statx(AtCurrentDirectory, path, 0, StatxType, ref MemoryMarshal.GetReference(status)) != 0) return Kind.Missing;
        int type = BitConverter.ToUInt16(status[ModeOffset..]) & TypeMask;
        return type switch
        {
            RegularType => Kind.Regular,
            DirectoryType => Kind.Directory,
            _ => Kind.Special,
        };
    }

    /// <summary>The words a message uses for a kind that is not a regular file.</summary>
    public static string Describe(string path) => Of(path) switch
    {
        Kind.Directory => "a directory",
        Kind.Special => "not a regular file (a device, FIFO or socket)",
        Kind.Missing => "missing",
        _ => "a regular file",
    };

    private const int AtCurrentDirectory = -100, StatxType = 1, ModeOffset = 28;
    private const int TypeMask = 0xF000, RegularType = 0x8000, DirectoryType = 0x4000;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte status);
}
