using GrainServe.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Generation;

/// <summary>The shared tiny-random-gpt2 export (legacy past_{i} naming, int32 ids) and a reference run of it without a KV cache.</summary>
internal static class TinyGpt2
{
    public const string FolderName = "tiny-random-gpt2";

    public static string? Folder(string test) => SharedData.Folder(FolderName, test);

    public static SessionOptions Options() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

    public static OnnxDecoderStepModel Load(string folder, KvBinding kvBinding = KvBinding.Host)
    {
        using var options = Options();
        return OnnxDecoderStepModel.Load(Path.Combine(folder, "past.onnx"), options, kvBinding);
    }
}
