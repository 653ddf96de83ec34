using GrainServe.ModelBuilder;
using GrainServe.ModelBuilder.Whisper;

namespace GrainServe.TestSupport;

/// <summary>The tests' Whisper model: onnxruntime-genai's layout as the ModelBuilder writes whisper_tiny, only narrower.</summary>
public static class TestWhisper
{
    private static readonly WhisperDims Dims = new(2, 2, 64, 2, 32, 128, 80, 1500, 448, 51864);

    /// <summary>Writes the model as <paramref name="name"/> into <paramref name="repository"/>.</summary>
    public static void Write(string repository, string name)
    {
        WhisperModel.Write(Path.Combine(repository, name, "1"), Dims);
        File.WriteAllText(Path.Combine(repository, name, "config.json"), SampleRepository.WhisperConfig(name, kvCacheBytes: 64L << 20));
    }

    /// <summary>Writes the same model (the same weights) in Hugging Face Optimum's merged layout as <paramref name="name"/>.</summary>
    public static void WriteOptimum(string repository, string name)
    {
        OptimumWhisperModel.Write(Path.Combine(repository, name, "1"), Dims, WhisperLayout.OptimumMerged);
        File.WriteAllText(
            Path.Combine(repository, name, "config.json"),
            SampleRepository.WhisperConfig(name, kvCacheBytes: 64L << 20, OptimumWhisperModel.DecoderFile(WhisperLayout.OptimumMerged)));
    }
}
