using GrainServe.ModelBuilder;

// dotnet run --project tools/GrainServe.ModelBuilder -- models
//     writes the sample model repository.
// dotnet GrainServe.ModelBuilder.dll extract <assembly> <resource> <destination>
//     copies an embedded resource out of an assembly (used by build/ArcticXs.targets).
if (args is ["extract", var assembly, var resource, var destination])
{
    EmbeddedResourceExtractor.Extract(assembly, resource, destination);
    return;
}

var root = args.Length > 0 ? args[0] : "models";
SampleRepository.Write(root);
Console.WriteLine($"Wrote the sample model repository to {Path.GetFullPath(root)}");
