namespace SeqClassify.Cli;

/// <summary>Checks, before a long run, that a file can be written where the user asked.</summary>
internal static class OutputFile
{
    public static void CheckWritable(string path)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"cannot write '{path}': directory '{directory}' does not exist");
        }
        if (Directory.Exists(full))
        {
            throw new UsageException($"cannot write '{path}': it is a directory");
        }
        // The model is saved through a temporary file in the same directory, so that is what must work.
        string probe = Path.Combine(directory, $".seqclassify-write-check-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe)) { }
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new UsageException($"cannot write '{path}': {e.Message}");
        }
        if (File.Exists(full) && new FileInfo(full).IsReadOnly)
        {
            throw new UsageException($"cannot write '{path}': the file is read-only");
        }
    }

    /// <summary>
    /// Writes through a temporary file in the same directory, then renames it over the target: a
    /// reader sees the old file or the whole new one, never half of one. ML.NET writes the zip;
    /// this makes its arrival atomic.
    /// </summary>
    public static void WriteAtomically(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
