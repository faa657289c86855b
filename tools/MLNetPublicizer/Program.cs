using Mono.Cecil;

// Usage: MLNetPublicizer OUTPUT_FOLDER INPUT.dll [INPUT.dll ...]
// Each INPUT is written to OUTPUT_FOLDER under the same file name, with the same identity, every
// type, method and field made public. Only the compiler sees these copies: ML.NET components of
// our own can then be written the way ML.NET writes its own (ModelSaveContext, VersionInfo,
// LoadableClass), and IgnoresAccessChecksToAttribute lets the runtime accept the calls.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: MLNetPublicizer OUTPUT_FOLDER INPUT.dll [INPUT.dll ...]");
    return 2;
}
string outputFolder = args[0];
Directory.CreateDirectory(outputFolder);
var resolver = new DefaultAssemblyResolver();
foreach (string input in args.Skip(1))
{
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input)));
}
foreach (string input in args.Skip(1))
{
    using var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { AssemblyResolver = resolver });
    foreach (var type in assembly.MainModule.GetTypes())
    {
        Publicize(type);
    }
    string output = Path.Combine(outputFolder, Path.GetFileName(input));
    // Written beside, then renamed: a build interrupted mid-write never leaves a torn reference.
    string temporary = output + ".tmp";
    assembly.Write(temporary);
    File.Move(temporary, output, overwrite: true);
    Console.WriteLine($"publicized {Path.GetFileName(input)} -> {output}");
}
return 0;

static void Publicize(TypeDefinition type)
{
    if (type.IsNested)
    {
        type.IsNestedPublic = true;
    }
    else
    {
        type.IsPublic = true;
    }
    foreach (var method in type.Methods)
    {
        method.IsPublic = true;
    }
    // An event's backing field shares the event's name: making it public too would make every use
    // of the event ambiguous to the compiler.
    var eventNames = type.Events.Select(e => e.Name).ToHashSet();
    foreach (var field in type.Fields.Where(f => !eventNames.Contains(f.Name)))
    {
        field.IsPublic = true;
    }
}
