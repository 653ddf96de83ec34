using GrainServe.Models;
using Proto = GrainServe.Gateway.Grpc.Protocol;

namespace GrainServe.Gateway.Grpc;

/// <summary>Maps model statistics to Triton's <c>ModelStatistics</c> message.</summary>
internal static class GrpcStatistics
{
    public static Proto.ModelStatistics ToProto(ModelStatistics statistics)
    {
        var message = new Proto.ModelStatistics
        {
            Name = statistics.Name,
            Version = statistics.Version,
            LastInference = statistics.LastInference,
            InferenceCount = statistics.InferenceCount,
            ExecutionCount = statistics.ExecutionCount,
            InferenceStats = new Proto.InferStatistics
            {
                Success = Duration(statistics.Success),
                Fail = Duration(statistics.Fail),
                Queue = Duration(statistics.Queue),
                ComputeInput = Duration(statistics.ComputeInput),
                ComputeInfer = Duration(statistics.ComputeInfer),
                ComputeOutput = Duration(statistics.ComputeOutput),
                CacheHit = Duration(StatisticDuration.Zero),
                CacheMiss = Duration(StatisticDuration.Zero),
            },
        };
        message.BatchStats.AddRange(statistics.BatchStats.Select(b => new Proto.InferBatchStatistics
        {
            BatchSize = b.BatchSize,
            ComputeInput = Duration(b.ComputeInput),
            ComputeInfer = Duration(b.ComputeInfer),
            ComputeOutput = Duration(b.ComputeOutput),
        }));
        return message;
    }

    private static Proto.StatisticDuration Duration(StatisticDuration duration) => new() { Count = duration.Count, Ns = duration.Ns };
}
