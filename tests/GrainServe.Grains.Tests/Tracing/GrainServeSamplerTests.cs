using System.Diagnostics;
using OpenTelemetry.Trace;

namespace GrainServe.Tracing;

public sealed class GrainServeSamplerTests
{
    private static readonly GrainServeSampler NeverNew = new(new ParentBasedSampler(new TraceIdRatioBasedSampler(0)));

    [Fact]
    public void ShouldSample_SampledParent_FollowsIt()
    {
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

        Assert.Equal(SamplingDecision.RecordAndSample, Decide(NeverNew, parent, ActivityKind.Server, []));
    }

    [Fact]
    public void ShouldSample_BatchRootLinkedToASampledRequest_IsSampledWhateverTheRatio()
    {
        var request = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var unsampled = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);

        Assert.Equal(SamplingDecision.RecordAndSample, Decide(NeverNew, default, ActivityKind.Internal, [new ActivityLink(unsampled), new ActivityLink(request)]));
        Assert.Equal(SamplingDecision.Drop, Decide(NeverNew, default, ActivityKind.Internal, [new ActivityLink(unsampled)]));
    }

    [Fact]
    public void ShouldSample_RootClientCall_IsDroppedEvenWhenEverythingElseIsSampled()
    {
        var always = new GrainServeSampler(new AlwaysOnSampler());

        Assert.Equal(SamplingDecision.Drop, Decide(always, default, ActivityKind.Client, []));
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(always, default, ActivityKind.Server, []));
    }

    private static SamplingDecision Decide(Sampler sampler, ActivityContext parent, ActivityKind kind, ActivityLink[] links) =>
        sampler.ShouldSample(new SamplingParameters(parent, ActivityTraceId.CreateRandom(), "span", kind, links: links)).Decision;
}
