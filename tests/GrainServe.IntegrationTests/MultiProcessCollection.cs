namespace GrainServe;

/// <summary>
/// The tests that start clusters of processes run one at a time, never beside each other: on a machine of few cores, two
/// clusters at once would slow each other's nodes past the timeouts the tests measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiProcessCollection
{
    /// <summary>The collection's name, for <c>[Collection]</c>.</summary>
    public const string Name = "MultiProcess";
}
