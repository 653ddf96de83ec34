using System.Buffers.Binary;
using GrainServe.Contracts;
using GrainServe.Models;

namespace GrainServe.Runtime;

/// <summary>
/// Runs a new instance's <c>model_warmup</c> samples (Triton's) through its scheduler before the instance is ready, so
/// that the first client is not the one who pays for the runtime's first run, and so that on a GPU the memory measured
/// around the load includes what that first run allocates (the CUDA provider's arena grows on it). A sample that fails
/// fails the load, as in Triton: a model that cannot answer its own sample would fail its clients too.
/// </summary>
internal static class ModelWarmup
{
    // random_data is seeded, so that every instance of a model warms up on the same data.
    private const int RandomSeed = 20261204;

    /// <summary>Runs every sample of the instance's configuration, each <c>count</c> times (once for 0), in order.</summary>
    /// <param name="scheduler">The new instance; its effective configuration holds the samples.</param>
    /// <param name="modelName">The model, for errors.</param>
    /// <param name="version">The version, for errors.</param>
    /// <param name="modelDirectory">The model's folder, whose <c>warmup/</c> holds the samples' data files.</param>
    /// <param name="cancellationToken">Cancels the warm-up.</param>
    /// <returns>The runs made.</returns>
    /// <exception cref="ModelLoadException">A sample's data cannot be made, or a run fails; the message says which and why.</exception>
    public static async Task<int> RunAsync(IInstanceScheduler scheduler, string modelName, long version, string modelDirectory, CancellationToken cancellationToken)
    {
        var config = scheduler.Config;
        var runs = 0;
        for (var i = 0; i < config.ModelWarmup.Count; i++)
        {
            var sample = config.ModelWarmup[i];
            var label = ModelWarmupValidator.Label(sample, i);
            InferenceRequest request;
            try
            {
                request = Request(sample, label, config.MaxBatchSize > 0, modelDirectory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new ModelLoadException($"model '{modelName}' version {version}: {label}: {ex.Message}", ex);
            }

            for (var run = 0; run < Math.Max(1, sample.Count); run++)
            {
                var result = await scheduler.Infer(request, cancellationToken);
                if (result.Error is { } error)
                {
                    throw new ModelLoadException($"model '{modelName}' version {version}: {label} failed, so the instance is not used: {error.Message}");
                }

                runs++;
            }
        }

        return runs;
    }

    /// <summary>The sample's request: each input's data made or read once, then repeated along the batch dimension.</summary>
    /// <exception cref="IOException">A data file cannot be read.</exception>
    /// <exception cref="InvalidDataException">A data file does not hold the input's elements.</exception>
    internal static InferenceRequest Request(ModelWarmupConfig sample, string label, bool batched, string modelDirectory)
    {
        var random = new Random(RandomSeed);
        var inputs = new List<InferTensor>(sample.Inputs.Count);
        foreach (var (name, input) in sample.Inputs.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            // The validator has checked the datatype, the dims and the one data source.
            var datatype = TritonDatatype.ToProtocol(input.DataType!)!;
            var dims = input.Dims.ToArray();
            var elements = InferDatatype.ElementCount(dims);
            var one = input.InputDataFile is { } file
                ? ReadFile(Path.Combine(modelDirectory, ModelWarmupValidator.DataFolder, file), datatype, elements, name)
                : input.RandomData is not null ? RandomData(datatype, elements, random) : ZeroData(datatype, elements);
            var batch = batched ? sample.BatchSize : 1;
            var data = new byte[one.Length * batch];
            for (var b = 0; b < batch; b++)
            {
                one.CopyTo(data, b * one.Length);
            }

            inputs.Add(new InferTensor(name, datatype, batched ? [batch, .. dims] : dims, data));
        }

        return new InferenceRequest($"warmup {label}", null, [.. inputs], null);
    }

    // Zeros; a BYTES element is its 4-byte length, so zeros are empty strings.
    private static byte[] ZeroData(string datatype, long elements) =>
        new byte[elements * (datatype == InferDatatype.Bytes ? 4 : InferDatatype.ElementSize(datatype))];

    // Random bytes, as Triton's, except where those would not be valid values: floats are uniform in [0, 1) (random
    // bits make NaNs), BOOL is 0 or 1, and BYTES falls back to empty strings as Triton's does.
    private static byte[] RandomData(string datatype, long elements, Random random)
    {
        var data = ZeroData(datatype, elements);
        switch (datatype)
        {
            case InferDatatype.Bytes:
                break;
            case InferDatatype.Bool:
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] = (byte)random.Next(2);
                }

                break;
            case InferDatatype.Fp32:
                for (var i = 0; i < elements; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), random.NextSingle());
                }

                break;
            case InferDatatype.Fp64:
                for (var i = 0; i < elements; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), random.NextDouble());
                }

                break;
            case InferDatatype.Fp16:
                for (var i = 0; i < elements; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(i * 2), (Half)random.NextSingle());
                }

                break;
            case InferDatatype.Bf16:
                for (var i = 0; i < elements; i++)
                {
                    // bfloat16 is the high half of a float32.
                    BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(i * 2), (ushort)(BitConverter.SingleToUInt32Bits(random.NextSingle()) >> 16));
                }

                break;
            default:
                random.NextBytes(data);
                break;
        }

        return data;
    }

    private static byte[] ReadFile(string path, string datatype, long elements, string input)
    {
        var data = File.ReadAllBytes(path);
        var file = Path.GetFileName(path);
        if (datatype != InferDatatype.Bytes)
        {
            var expected = elements * InferDatatype.ElementSize(datatype);
            return data.Length == expected
                ? data
                : throw new InvalidDataException($"input '{input}': {ModelWarmupValidator.DataFolder}/{file} holds {data.Length} bytes, and {elements} {datatype} elements take {expected}");
        }

        // BYTES: each element a 4-byte little-endian length, then its bytes; exactly the input's elements.
        long offset = 0, count = 0;
        while (offset + 4 <= data.Length)
        {
            offset += 4 + BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)offset));
            count++;
        }

        return offset == data.Length && count == elements
            ? data
            : throw new InvalidDataException($"input '{input}': {ModelWarmupValidator.DataFolder}/{file} is not {elements} BYTES elements, each a 4-byte length and its bytes");
    }
}
