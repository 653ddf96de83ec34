using System.Collections.Concurrent;
using GrainServe.Models;

namespace GrainServe.TestSupport;

/// <summary>
/// Counts the calls each model grain receives, by model and method, so a test can prove that requests do not pass
/// through the model grain. Registered on every silo of the test cluster; the counts are process-wide.
/// </summary>
public sealed class ModelGrainCalls : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<(string Model, string Method), int> Counts = new();

    /// <summary>The calls <paramref name="model"/>'s grain received so far, by method name.</summary>
    public static Dictionary<string, int> Of(string model) =>
        Counts.Where(c => c.Key.Model == model).ToDictionary(c => c.Key.Method, c => c.Value);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(IModelGrain))
        {
            Counts.AddOrUpdate((context.TargetId.Key.ToString(), context.MethodName), 1, (_, n) => n + 1);
        }

        return context.Invoke();
    }
}
