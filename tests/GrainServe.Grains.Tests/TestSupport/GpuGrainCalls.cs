using System.Collections.Concurrent;
using GrainServe.Gpu;

namespace GrainServe.TestSupport;

/// <summary>
/// Counts the <c>Infer</c> calls each GPU grain receives, by device key, so a test can tell a request that went through
/// the grain from one a same-silo router ran on the instance directly. Registered on every silo; process-wide counts.
/// </summary>
public sealed class GpuGrainCalls : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, int> Infers = new(StringComparer.Ordinal);

    /// <summary>The <c>Infer</c> calls <paramref name="deviceKey"/>'s GPU grain received so far.</summary>
    public static int InfersOf(string deviceKey) => Infers.GetValueOrDefault(deviceKey);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(IGpuGrain) && context.MethodName == nameof(IGpuGrain.Infer))
        {
            Infers.AddOrUpdate(context.TargetId.Key.ToString()!, 1, (_, n) => n + 1);
        }

        return context.Invoke();
    }
}
