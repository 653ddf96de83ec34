using System.Collections.Concurrent;
using Google.Protobuf;
using GrainServe.Gateway.Grpc.Protocol;
using Grpc.Core;

namespace GrainServe.Gateway.Fuzz;

/// <summary>
/// Sends one fuzzed gRPC call as bytes (so that a malformed protobuf reaches the server as it is) and judges the answer:
/// never INTERNAL, UNKNOWN or DATA_LOSS, an answer before the deadline, and on the stream no "internal error" message.
/// </summary>
internal sealed class GrpcVerdict(CallInvoker invoker)
{
    private const string Service = "inference.GRPCInferenceService";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private static readonly StatusCode[] Faults = [StatusCode.Internal, StatusCode.Unknown, StatusCode.DataLoss, StatusCode.DeadlineExceeded, StatusCode.Cancelled, StatusCode.Aborted];

    /// <summary>How many answers had each status, for the log.</summary>
    public ConcurrentDictionary<StatusCode, int> Statuses { get; } = new();

    public async Task CheckAsync(GrpcCall call)
    {
        var payload = call.Raw ?? call.Message.ToByteArray();
        var options = new CallOptions(deadline: DateTime.UtcNow.Add(RestVerdict.Timeout));
        try
        {
            if (call.Method == "ModelStreamInfer")
            {
                await StreamAsync(payload, options);
            }
            else
            {
                await invoker.AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, Service, call.Method, Bytes, Bytes), null, options, payload);
            }

            Statuses.AddOrUpdate(StatusCode.OK, 1, (_, n) => n + 1);
        }
        catch (RpcException ex)
        {
            Statuses.AddOrUpdate(ex.StatusCode, 1, (_, n) => n + 1);
            if (Faults.Contains(ex.StatusCode))
            {
                throw new Xunit.Sdk.XunitException($"answered {ex.StatusCode}: {ex.Status.Detail}");
            }
        }
    }

    private async Task StreamAsync(byte[] payload, CallOptions options)
    {
        using var stream = invoker.AsyncDuplexStreamingCall(new Method<byte[], byte[]>(MethodType.DuplexStreaming, Service, "ModelStreamInfer", Bytes, Bytes), null, options);
        await stream.RequestStream.WriteAsync(payload);
        await stream.RequestStream.CompleteAsync();
        while (await stream.ResponseStream.MoveNext(options.CancellationToken))
        {
            var response = ModelStreamInferResponse.Parser.ParseFrom(stream.ResponseStream.Current);
            if (response.ErrorMessage.StartsWith("internal error", StringComparison.Ordinal))
            {
                throw new Xunit.Sdk.XunitException($"the stream answered '{response.ErrorMessage}'");
            }
        }
    }
}
