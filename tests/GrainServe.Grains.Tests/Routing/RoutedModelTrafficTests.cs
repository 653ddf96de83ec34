using System.Reflection;
using GrainServe.Models;

namespace GrainServe.Routing;

/// <summary>A gateway's traffic counts survive a report that did not reach the model grain.</summary>
public sealed class RoutedModelTrafficTests
{
    [Fact]
    public void ReturnTraffic_AfterAFailedReport_TheNextReportCarriesEverything()
    {
        var model = new RoutedModel(NoGrains.Create(), new RoutingTable { Model = "m", Revision = 1, KnownVersions = [1], Versions = [] }, DateTimeOffset.UnixEpoch);
        model.Record("1", TimeSpan.FromMilliseconds(2), failed: false);
        model.Record("1", TimeSpan.FromMilliseconds(3), failed: true);
        model.RecordMirrored("2");

        var lost = model.TakeTraffic();
        model.Record("1", TimeSpan.FromMilliseconds(4), failed: false);
        model.ReturnTraffic(lost);
        var next = model.TakeTraffic()!;

        Assert.Equal((3L, 1L, 0L, 3L), (next["1"].Requests, next["1"].Errors, next["1"].Mirrored, next["1"].Latency.Count));
        Assert.Equal(1L, next["2"].Mirrored);
        Assert.Null(model.TakeTraffic());

        // The returned objects are not reused: a grain call that still holds them sees them unchanged.
        Assert.Equal(2L, lost!["1"].Requests);
    }

    /// <summary>A grain factory that is never asked for a grain (the table has no instances).</summary>
    public class NoGrains : DispatchProxy
    {
        public static IGrainFactory Create() => Create<IGrainFactory, NoGrains>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"{targetMethod?.Name} was not expected");
    }
}
