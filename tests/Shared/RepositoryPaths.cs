namespace SeqClassify.Testing;

/// <summary>
/// Where the tests find the repository and ../shared beside it (in CI as here), from the test
/// assembly's folder. Linked into every test project (see Directory.Build.props in tests/).
/// </summary>
internal static class RepositoryPaths
{
    /// <summary>The folder that holds SeqClassify.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>../shared beside the repository.</summary>
    public static string Shared => Path.Combine(Root, "..", "shared");

    /// <summary>../shared/datasets.</summary>
    public static string Datasets => Path.Combine(Shared, "datasets");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SeqClassify.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("SeqClassify.sln not found above " + AppContext.BaseDirectory);
    }
}
