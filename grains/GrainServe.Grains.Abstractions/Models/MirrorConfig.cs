namespace GrainServe.Models;

/// <summary>
/// Shadow traffic (Istio's <c>mirror</c>): a share of the requests that name no version is also sent to
/// <see cref="Version"/>, whose answers and errors are recorded and discarded; the caller gets the split's answer.
/// </summary>
[GenerateSerializer, Alias("GrainServe.MirrorConfig")]
public sealed class MirrorConfig
{
    /// <summary>The version that receives the copies; it need not have a weight. Required.</summary>
    [Id(0)] public string Version { get; set; } = "";

    /// <summary>The share of requests copied, in percent, 0 to 100. Default 100, as Istio's <c>mirrorPercentage</c>.</summary>
    [Id(1)] public double Percent { get; set; } = 100;
}
