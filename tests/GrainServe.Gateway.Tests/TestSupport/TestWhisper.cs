using GrainServe.ModelBuilder;
using GrainServe.ModelBuilder.Whisper;

namespace GrainServe.TestSupport;

/// <summary>The tests' Whisper model: onnxruntime-genai's layout as the ModelBuilder writes whisper_tiny, only narrower.</summary>
public static class TestWhisper
{
    /// <summary>Writes the model as <paramref name="name"/> into <paramref name="repository"/>.</summary>
    public static void Write(string repository, string name)
    {
        WhisperModel.Write(Path.Combine(repository, name, "1"), new WhisperDims(2, 2, 64, 2, 32, 128, 80, 1500, 448, 51864));
        File.WriteAllText(Path.Combine(repository, name, "config.json"), SampleRepository.WhisperConfig(name, kvCacheBytes: 64L << 20));
    }
}
