// ML.NET's save/load contracts (ModelSaveContext, ModelLoadContext, VersionInfo, LoadableClass) and its
// ONNX export contract (OnnxContext, ISaveAsOnnx, OnnxContextImpl) are internal to these assemblies.
// The compiler sees publicized copies (see the project file); this attribute tells the runtime to
// allow this assembly's calls into the real ones.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.OnnxConverter")]

namespace System.Runtime.CompilerServices
{
    /// <summary>Honoured by CoreCLR: calls from this assembly skip access checks into the named assembly.</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
    {
        /// <summary>The assembly whose internals this assembly may use.</summary>
        public string AssemblyName { get; } = assemblyName;
    }
}
