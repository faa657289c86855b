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
        RequireRegularOrNew(path);
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
    /// Refuses an output that is one of the inputs (by path, after following links): writing it would
    /// replace the data or model the command reads. outputOption names the output ("--out", "--report").
    /// </summary>
    public static void CheckNotAnInput(string outputOption, string output, params (string Option, string? Path)[] inputs)
    {
        string target = Resolved(output);
        foreach (var (option, input) in inputs)
        {
            if (input is not null && Resolved(input) == target)
            {
                throw new UsageException($"{outputOption} '{output}' is the {option} file: writing it would overwrite that; choose another {outputOption}");
            }
        }
    }

    /// <summary>
    /// Refuses an output that would replace a file in an input folder (a pretrained model's config.json,
    /// vocab.txt or weights, which the command reads): a new file there is fine, an existing one is not.
    /// </summary>
    public static void CheckNotInFolder(string outputOption, string output, string folderOption, string? folder)
    {
        if (folder is null || !Directory.Exists(folder)) return;
        string target = Resolved(output);
        string inside = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string? directory = Path.GetDirectoryName(target);
        bool sameFolder = directory == inside || directory == Path.TrimEndingDirectorySeparator(new DirectoryInfo(inside).ResolveLinkTarget(true)?.FullName ?? inside);
        if (sameFolder && File.Exists(target))
        {
            throw new UsageException($"{outputOption} '{output}' is a file of the {folderOption} folder '{folder}': writing it would overwrite what that folder holds; choose another {outputOption}");
        }
    }

    // The atomic rename would replace a device, FIFO or socket with a regular file (as root, --onnx
    // /dev/full replaced the system's /dev/full): only regular files, or new paths, are written.
    private static void RequireRegularOrNew(string path)
    {
        if (FileKind.Of(path) == FileKind.Kind.Special)
        {
            throw new UsageException($"cannot write '{path}': it is not a regular file (a device, FIFO or socket); give the path of a file to create or replace");
        }
    }

    private static string Resolved(string path)
    {
        string full = Path.GetFullPath(path);
        return File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : full;
    }

    /// <summary>
    /// Writes through a temporary file in the same directory, then renames it over the target: a
    /// reader sees the old file or the whole new one, never half of one. ML.NET writes the zip;
    /// this makes its arrival atomic. Temporary files of the same target left by a writer that no
    /// longer runs (killed during a save) are removed first; the name carries the writer's process id.
    /// </summary>
    public static void WriteAtomically(string path, Action<string> write)
    {
        RequireRegularOrNew(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        RemoveStaleTemporaries(directory, Path.GetFileName(full));
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
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

    private static void RemoveStaleTemporaries(string directory, string name)
    {
        foreach (string file in Directory.EnumerateFiles(directory, $".{name}.*.tmp"))
        {
            string[] parts = Path.GetFileName(file)[(name.Length + 2)..].Split('.');
            // .NAME.<pid>.<guid>.tmp; anything else (another program's file) is left alone.
            if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || pid == Environment.ProcessId || IsRunning(pid)) continue;
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Removed by another save meanwhile, or not removable: not this save's concern.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
