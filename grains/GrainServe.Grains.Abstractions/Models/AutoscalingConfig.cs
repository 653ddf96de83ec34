namespace GrainServe.Models;

/// <summary>
/// Request-based autoscaling of each served version, with Ray Serve's knobs and meaning: the instances wanted are
/// the requests in flight over <see cref="TargetOngoingRequests"/>, within the bounds, applied once the wish has lasted
/// the delay. With <see cref="MinInstances"/> 0 an idle version unloads and the next request loads it again (Knative's
/// scale to zero).
/// </summary>
/// <remarks>
/// The <c>autoscaling</c> block of config.json. Absent, a version has the instances <c>instance_group</c> asks for and
/// no more or fewer. Present, it replaces <c>instance_group</c>'s count.
/// </remarks>
[GenerateSerializer, Alias("GrainServe.AutoscalingConfig")]
public sealed class AutoscalingConfig
{
    /// <summary>
    /// The fewest instances, 0 or more; 0 lets an idle version scale to zero. Default 1, as Ray Serve's
    /// <c>min_replicas</c> (Knative's default is 0): scaling to zero costs a cold start, so it is asked for.
    /// </summary>
    [Id(0)] public int MinInstances { get; set; } = 1;

    /// <summary>
    /// The most instances, at least 1. Default 4: Ray Serve's default of 1 would make the block scale nothing, and
    /// Knative's unbounded default would let one model take every device.
    /// </summary>
    [Id(1)] public int MaxInstances { get; set; } = 4;

    /// <summary>
    /// Requests in flight (queued plus running) each instance should have, more than 0; for generation models, sequences
    /// waiting plus running. Default 2, as Ray Serve's <c>target_ongoing_requests</c>.
    /// </summary>
    [Id(2)] public double TargetOngoingRequests { get; set; } = 2;

    /// <summary>
    /// How long the wish for more instances must last before they are added, in seconds, 0 or more. Default 3: near
    /// Knative's 6-second panic window, since Ray Serve's 30 is long when a load already takes seconds.
    /// </summary>
    [Id(3)] public double UpscaleDelayS { get; set; } = 3;

    /// <summary>
    /// How long the wish for fewer instances (but not 0) must last before they are removed, in seconds, 0 or more.
    /// Default 30: shorter than Knative's 60-second stable window and Ray Serve's 600, because an idle instance holds
    /// device memory another model may be waiting for.
    /// </summary>
    [Id(4)] public double DownscaleDelayS { get; set; } = 30;

    /// <summary>
    /// How long a version must have had no request in flight before its last instance is removed, in seconds, 0 or
    /// more; only with <see cref="MinInstances"/> 0, and it replaces <see cref="DownscaleDelayS"/> for that last step (Ray
    /// Serve's <c>downscale_to_zero_delay_s</c>). Default 300, longer than Knative's 60-second stable window plus
    /// 30-second grace period, because a cold start here costs a model load, not a container start.
    /// </summary>
    [Id(5)] public double ScaleToZeroDelayS { get; set; } = 300;

    /// <summary>
    /// How long a request that arrives at a version with no instance waits for the first to load, in seconds, more
    /// than 0; past it the request fails as not ready. Default 60.
    /// </summary>
    [Id(6)] public double ColdStartTimeoutS { get; set; } = 60;
}
