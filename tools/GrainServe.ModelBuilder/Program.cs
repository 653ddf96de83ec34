using GrainServe.ModelBuilder;

// Writes the sample model repository: dotnet run --project tools/GrainServe.ModelBuilder -- models
var root = args.Length > 0 ? args[0] : "models";
SampleRepository.Write(root);
Console.WriteLine($"Wrote the sample model repository to {Path.GetFullPath(root)}");
