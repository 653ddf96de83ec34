using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using GrainServe.Contracts;
using GrainServe.Embeddings;
using GrainServe.Gpu;
using GrainServe.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrainServe.TestSupport;

/// <summary>
/// The real embedding models that build/SentenceModels.targets extracts beside the test binaries, served from a
/// temporary repository with a config written by the test.
/// </summary>
internal static class RealModels
{
    public static string VersionFolder(string name) => Path.Combine(AppContext.BaseDirectory, "models", name, "1");

    public static TempRepository Repository(string name, string config)
    {
        var repository = new TempRepository().File($"{name}/config.json", config);
        var target = Path.Combine(repository.Root, name, "1");
        Directory.CreateDirectory(target);
        foreach (var file in new[] { "model.onnx", "vocab.txt" })
        {
            // A link, not a copy: the model is 90 MB.
            File.CreateSymbolicLink(Path.Combine(target, file), Path.Combine(VersionFolder(name), file));
        }

        return repository;
    }

    public static string EmbeddingConfig(string pooling, bool truncate = true, int maxLength = 512, string maxPaddingFraction = "0.25") => $$"""
        {
          "max_batch_size": 64,
          "dynamic_batching": { "max_queue_delay_microseconds": 1000 },
          "parameters": {
            "model_kind": { "string_value": "sentence_embedding" },
            "pooling": { "string_value": "{{pooling}}" },
            "truncate": { "string_value": "{{(truncate ? "true" : "false")}}" },
            "max_sequence_length": { "string_value": "{{maxLength}}" },
            "max_padding_fraction": { "string_value": "{{maxPaddingFraction}}" }
          }
        }
        """;

    public static SentenceEmbeddingRunner Runner(TempRepository repository, string name)
    {
        var factory = new OnnxModelRunnerFactory(Options.Create(new RuntimeOptions { IntraOpNumThreads = 1 }), NullLogger<OnnxSessionFactory>.Instance);
        var device = new LocalDevice("cpu0", DeviceKind.Cpu, 0, "cpu0", "CPU-test-0", 1L << 32, 1L << 32);
        return (SentenceEmbeddingRunner)factory.Create(repository.Reader.Find(name)!, 1, device);
    }

    public static InferTensor Texts(params string[] texts) => Texts(texts.Select(Encoding.UTF8.GetBytes).ToArray());

    public static InferTensor Texts(params byte[][] texts)
    {
        var bytes = new List<byte>();
        foreach (var text in texts)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
            bytes.AddRange(length);
            bytes.AddRange(text);
        }

        return new InferTensor("TEXT", InferDatatype.Bytes, [texts.Length, 1], [.. bytes]);
    }

    public static async Task<float[][]> EmbedAsync(IModelRunner runner, params string[] texts)
    {
        var outputs = await runner.RunAsync([Texts(texts)], ["EMBEDDING", "TOKEN_COUNT"], CancellationToken.None);
        var flat = MemoryMarshal.Cast<byte, float>(outputs[0].Data).ToArray();
        var dim = flat.Length / texts.Length;
        return Enumerable.Range(0, texts.Length).Select(i => flat[(i * dim)..((i + 1) * dim)]).ToArray();
    }

    public static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
