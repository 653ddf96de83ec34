namespace GrainServe.Models;

/// <summary>An instance in a <see cref="RoutingTable"/>: the GPU grain to call and the instance's id there.</summary>
[GenerateSerializer, Immutable, Alias("GrainServe.RoutedInstance")]
public sealed record RoutedInstance(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string DeviceKey);
