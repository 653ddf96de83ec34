using System.Text;
using Google.Protobuf;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Fuzz;

/// <summary>
/// Valid gRPC requests for every method (inference on several models and datatypes, generation with its JSON sampling
/// parameters, transcription, metadata, configuration, statistics and the repository, the last on the fuzz test's own
/// model only) and the mutations of them.
/// </summary>
internal static class GrpcMutator
{
    public const int SeedCount = 14;

    public static GrpcCall Build(int seed, bool stream, Mutation<GrpcMutationKind>[] mutations)
    {
        var origin = $"seed {seed} [{string.Join(", ", mutations.AsEnumerable())}]";
        IMessage message = seed switch
        {
            0 => Infer("simple", ("INPUT0", "INT32", [1, 16], Ints(16)), ("INPUT1", "INT32", [1, 16], Ints(16))),
            1 => RawInfer("add_sub", new byte[16], new byte[16], ("INPUT0", "FP32", [1, 4]), ("INPUT1", "FP32", [1, 4])),
            2 => Infer("identity_bytes", ("INPUT0", "BYTES", [2], Bytes("hi", "wörld"))),
            3 => RawInfer("identity_uint8", [1, 2, 3, 4], null, ("INPUT0", "UINT8", [4])),
            4 => Infer("arctic_embed_xs", ("TEXT", "BYTES", [1], Bytes("Hello, world"))),
            5 => Infer("tiny_llama", ("text_input", "BYTES", [1], Bytes("Hi")), ("sampling_parameters", "BYTES", [1], Bytes(GrpcValues.Sampling))),
            6 => Transcribe(),
            7 => new ModelMetadataRequest { Name = "simple", Version = "1" },
            8 => new ModelReadyRequest { Name = "add_sub" },
            9 => new ModelConfigRequest { Name = "simple" },
            10 => new ModelStatisticsRequest { Name = "simple", Version = "1" },
            11 => new RepositoryModelLoadRequest { ModelName = GatewayFixture.FuzzReload, Parameters = { ["config"] = new ModelRepositoryParameter { StringParam = """{"max_batch_size": 8}""" } } },
            12 => new RepositoryIndexRequest { Ready = true },
            _ => new RepositoryModelUnloadRequest { ModelName = GatewayFixture.FuzzReload },
        };

        byte[]? raw = null;
        foreach (var mutation in mutations)
        {
            if (mutation.Kind is GrpcMutationKind.FlipByte or GrpcMutationKind.Truncate)
            {
                raw ??= message.ToByteArray();
                if (raw.Length > 0)
                {
                    if (mutation.Kind == GrpcMutationKind.FlipByte)
                    {
                        raw[mutation.Where % raw.Length] ^= (byte)((mutation.What % 255) + 1);
                    }
                    else
                    {
                        raw = raw[..(mutation.Where % raw.Length)];
                    }
                }
            }
            else if (raw is null)
            {
                Mutate(message, mutation);
            }
        }

        // Generation answers over the stream only; any inference may go either way.
        var method = message switch
        {
            ModelInferRequest infer when stream || infer.ModelName == "tiny_llama" => "ModelStreamInfer",
            ModelInferRequest => "ModelInfer",
            ModelMetadataRequest => "ModelMetadata",
            ModelReadyRequest => "ModelReady",
            ModelConfigRequest => "ModelConfig",
            ModelStatisticsRequest => "ModelStatistics",
            RepositoryModelLoadRequest => "RepositoryModelLoad",
            RepositoryModelUnloadRequest => "RepositoryModelUnload",
            _ => "RepositoryIndex",
        };
        return new GrpcCall(method, message, raw) { Origin = origin };
    }

    private static void Mutate(IMessage message, Mutation<GrpcMutationKind> mutation)
    {
        switch (message)
        {
            case ModelInferRequest infer:
                MutateInfer(infer, mutation);
                break;
            case ModelMetadataRequest metadata when mutation.Kind == GrpcMutationKind.Model:
                (metadata.Name, metadata.Version) = ModelAndVersion(mutation);
                break;
            case ModelReadyRequest ready when mutation.Kind == GrpcMutationKind.Model:
                (ready.Name, ready.Version) = ModelAndVersion(mutation);
                break;
            case ModelConfigRequest configRequest when mutation.Kind == GrpcMutationKind.Model:
                (configRequest.Name, configRequest.Version) = ModelAndVersion(mutation);
                break;
            case ModelStatisticsRequest statistics when mutation.Kind == GrpcMutationKind.Model:
                (statistics.Name, statistics.Version) = ModelAndVersion(mutation);
                break;
            case RepositoryModelLoadRequest load when mutation.Kind == GrpcMutationKind.Json:
                // The config travels as JSON text: the JSON mutations reach the config parser through it.
                var config = JsonMutator.Apply(Encoding.UTF8.GetBytes(load.Parameters["config"].StringParam), [new(MutationKind.ReplaceValue + (mutation.What % 6), mutation.Where, mutation.What / 6)]);
                load.Parameters["config"] = new ModelRepositoryParameter { StringParam = Encoding.UTF8.GetString(config) };
                break;
            case RepositoryModelLoadRequest load when mutation.Kind == GrpcMutationKind.Parameter:
                load.Parameters["config"] = new ModelRepositoryParameter { BoolParam = true };
                break;
        }
    }

    private static void MutateInfer(ModelInferRequest request, Mutation<GrpcMutationKind> mutation)
    {
        var input = request.Inputs.Count == 0 ? null : request.Inputs[mutation.Where % request.Inputs.Count];
        switch (mutation.Kind)
        {
            case GrpcMutationKind.Datatype when input is not null:
                input.Datatype = GrpcValues.Datatypes[mutation.What % GrpcValues.Datatypes.Length];
                break;
            case GrpcMutationKind.Shape when input is not null:
                input.Shape.Clear();
                input.Shape.AddRange(GrpcValues.Shapes[mutation.What % GrpcValues.Shapes.Length]);
                break;
            case GrpcMutationKind.Contents when input is not null:
                input.Contents ??= new InferTensorContents();
                AddContents(input.Contents, mutation.What);
                break;
            case GrpcMutationKind.ClearContents when input is not null:
                input.Contents = null;
                break;
            case GrpcMutationKind.Raw when mutation.What % 3 == 0 && request.RawInputContents.Count > 0:
                request.RawInputContents.RemoveAt(mutation.Where % request.RawInputContents.Count);
                break;
            case GrpcMutationKind.Raw when mutation.What % 3 == 1 && request.RawInputContents.Count > 0:
                request.RawInputContents[mutation.Where % request.RawInputContents.Count] = ByteString.CopyFrom(GrpcValues.Raw[(mutation.What / 3) % GrpcValues.Raw.Length]);
                break;
            case GrpcMutationKind.Raw:
                request.RawInputContents.Add(ByteString.CopyFrom(GrpcValues.Raw[(mutation.What / 3) % GrpcValues.Raw.Length]));
                break;
            case GrpcMutationKind.Parameter:
                {
                    var (name, value) = GrpcValues.Parameters[mutation.What % GrpcValues.Parameters.Length];
                    var target = (mutation.Where % 3) switch
                    {
                        0 => request.Parameters,
                        1 when input is not null => input.Parameters,
                        _ => request.Outputs.Count > 0 ? request.Outputs[0].Parameters : Output(request, "OUTPUT0").Parameters,
                    };
                    target[name] = value;
                    break;
                }

            case GrpcMutationKind.Name when input is not null && mutation.What % 2 == 0:
                input.Name = GrpcValues.Names[(mutation.What / 2) % GrpcValues.Names.Length];
                break;
            case GrpcMutationKind.Name:
                Output(request, GrpcValues.Names[(mutation.What / 2) % GrpcValues.Names.Length]);
                break;
            case GrpcMutationKind.InputCount when input is not null && mutation.What % 2 == 0:
                request.Inputs.Remove(input);
                break;
            case GrpcMutationKind.InputCount when input is not null:
                request.Inputs.Add(input.Clone());
                break;
            case GrpcMutationKind.Model:
                (request.ModelName, request.ModelVersion) = ModelAndVersion(mutation);
                break;
            case GrpcMutationKind.Json when input?.Contents?.BytesContents.Count > 0:
                {
                    var json = JsonMutator.Apply(input.Contents.BytesContents[0].ToByteArray(), [new(MutationKind.ReplaceValue + (mutation.What % 6), mutation.Where, mutation.What / 6)]);
                    input.Contents.BytesContents[0] = ByteString.CopyFrom(json);
                    break;
                }
        }
    }

    private static void AddContents(InferTensorContents contents, int what)
    {
        var count = (what / 8) % 40;
        switch (what % 8)
        {
            case 0: contents.IntContents.AddRange(Enumerable.Range(int.MinValue, count)); break;
            case 1: contents.Int64Contents.AddRange(Enumerable.Repeat(long.MinValue, count)); break;
            case 2: contents.UintContents.AddRange(Enumerable.Repeat(uint.MaxValue, count)); break;
            case 3: contents.Uint64Contents.AddRange(Enumerable.Repeat(ulong.MaxValue, count)); break;
            case 4: contents.Fp32Contents.AddRange(Enumerable.Repeat(float.NaN, count)); break;
            case 5: contents.Fp64Contents.AddRange(Enumerable.Repeat(double.NegativeInfinity, count)); break;
            case 6: contents.BoolContents.AddRange(Enumerable.Repeat(true, count)); break;
            default: contents.BytesContents.AddRange(Enumerable.Repeat(ByteString.CopyFrom(0xFF, 0xED, 0xA0, 0x80), count)); break;
        }
    }

    private static (string Model, string Version) ModelAndVersion(Mutation<GrpcMutationKind> mutation) =>
        (GrpcValues.Models[mutation.What % GrpcValues.Models.Length], GrpcValues.Versions[mutation.Where % GrpcValues.Versions.Length]);

    private static ModelInferRequest.Types.InferRequestedOutputTensor Output(ModelInferRequest request, string name)
    {
        var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = name };
        request.Outputs.Add(output);
        return output;
    }

    private static ModelInferRequest Infer(string model, params (string Name, string Datatype, long[] Shape, InferTensorContents Contents)[] inputs)
    {
        var request = new ModelInferRequest { ModelName = model, Id = "fuzz" };
        foreach (var (name, datatype, shape, contents) in inputs)
        {
            request.Inputs.Add(Tensors.Input(name, datatype, shape, contents));
        }

        return request;
    }

    private static ModelInferRequest RawInfer(string model, byte[] first, byte[]? second, params (string Name, string Datatype, long[] Shape)[] inputs)
    {
        var request = new ModelInferRequest { ModelName = model };
        foreach (var (name, datatype, shape) in inputs)
        {
            request.Inputs.Add(Tensors.Input(name, datatype, shape));
        }

        request.RawInputContents.Add(ByteString.CopyFrom(first));
        if (second is not null)
        {
            request.RawInputContents.Add(ByteString.CopyFrom(second));
        }

        return request;
    }

    // One token a window keeps each decode short, for the reason given with the multipart fuzz's clip.
    private static ModelInferRequest Transcribe()
    {
        var request = RawInfer(GatewayFixture.Whisper, [.. BitConverter.GetBytes(FormMutator.Speech.Length), .. FormMutator.Speech], null, ("audio", "BYTES", [1]));
        request.Parameters["temperature"] = new InferParameter { StringParam = "0" };
        request.Parameters["max_tokens"] = new InferParameter { StringParam = "1" };
        return request;
    }

    private static InferTensorContents Ints(int count) => Tensors.Ints([.. Enumerable.Range(0, count)]);

    private static InferTensorContents Bytes(params string[] values)
    {
        var contents = new InferTensorContents();
        contents.BytesContents.AddRange(values.Select(ByteString.CopyFromUtf8));
        return contents;
    }
}
