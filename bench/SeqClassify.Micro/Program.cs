// Micro-benchmarks of the hot paths; the harness in bench/SeqClassify.Bench compares whole runs with PyTorch.
// Run: dotnet run -c Release --project bench/SeqClassify.Micro -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(SeqClassify.Micro.HotPaths).Assembly).Run(args);
