using GrainServe.ModelBuilder;

// dotnet run --project tools/GrainServe.ModelBuilder -- models
//     writes the sample model repository.
// dotnet run --project tools/GrainServe.ModelBuilder -- whisper <root>
//     adds whisper_tiny (150 MB, not part of the committed samples) to the repository at <root>.
// dotnet run --project tools/GrainServe.ModelBuilder -- xtts <root>
//     adds xtts_small (the XTTS-style sample, not committed) to the repository at <root>.
// dotnet GrainServe.ModelBuilder.dll extract <assembly> <resource> <destination>
//     copies an embedded resource out of an assembly (used by build/ArcticXs.targets).
if (args is ["extract", var assembly, var resource, var destination])
{
    EmbeddedResourceExtractor.Extract(assembly, resource, destination);
    return;
}

if (args is ["whisper", var whisperRoot])
{
    var stopwatch = System.Diagnostics.Stopwatch.StartNew();
    var folder = SampleModels.WhisperTiny(whisperRoot);
    Console.WriteLine($"Wrote {Path.GetFullPath(folder)} in {stopwatch.Elapsed.TotalSeconds:F1} s");
    return;
}

if (args is ["xtts", var xttsRoot])
{
    SampleRepository.Write(xttsRoot, SampleRepository.XttsSmallFiles());
    Console.WriteLine($"Wrote {Path.GetFullPath(Path.Combine(xttsRoot, SampleRepository.XttsSmallName))}");
    return;
}

var root = args.Length > 0 ? args[0] : "models";
SampleRepository.Write(root);
Console.WriteLine($"Wrote the sample model repository to {Path.GetFullPath(root)}");
