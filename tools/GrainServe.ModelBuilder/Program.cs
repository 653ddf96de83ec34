using GrainServe.ModelBuilder;

// dotnet run --project tools/GrainServe.ModelBuilder -- models
//     writes the sample model repository.
// dotnet run --project tools/GrainServe.ModelBuilder -- whisper <root> [genai | optimum | optimum-split]
//     adds whisper_tiny (150 MB, not part of the committed samples) to the repository at <root>, in onnxruntime-genai's
//     layout (the default) or Hugging Face Optimum's (merged decoder, or the decoder and decoder-with-past pair).
// dotnet run --project tools/GrainServe.ModelBuilder -- xtts <root>
//     adds xtts_small (the XTTS-style sample, not committed) to the repository at <root>.
// dotnet GrainServe.ModelBuilder.dll extract <assembly> <resource> <destination>
//     copies an embedded resource out of an assembly (used by build/ArcticXs.targets).
if (args is ["extract", var assembly, var resource, var destination])
{
    EmbeddedResourceExtractor.Extract(assembly, resource, destination);
    return;
}

if (args is ["whisper", var whisperRoot, .. var layoutArgs] && layoutArgs.Length <= 1)
{
    var layout = layoutArgs switch
    {
        [] or ["genai"] => GrainServe.ModelBuilder.Whisper.WhisperLayout.GenAi,
        ["optimum"] => GrainServe.ModelBuilder.Whisper.WhisperLayout.OptimumMerged,
        ["optimum-split"] => GrainServe.ModelBuilder.Whisper.WhisperLayout.OptimumSplit,
        _ => throw new ArgumentException($"unknown Whisper layout '{layoutArgs[0]}': use genai, optimum or optimum-split"),
    };
    var stopwatch = System.Diagnostics.Stopwatch.StartNew();
    var folder = SampleModels.WhisperTiny(whisperRoot, layout: layout);
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
