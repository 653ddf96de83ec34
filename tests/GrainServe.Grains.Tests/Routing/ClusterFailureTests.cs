using GrainServe.Errors;

namespace GrainServe.Routing;

public sealed class ClusterFailureTests
{
    [Fact]
    public void IsUnreachable_AnAbortedStream_IsALostInstanceButNotAnUndeliveredCall()
    {
        // A stream cut when its activation went away: the router fails over (nothing streamed yet) or answers a
        // retryable error, instead of letting the exception through as a 500.
        var aborted = new Orleans.Runtime.EnumerationAbortedException("the enumeration was aborted");

        Assert.True(ClusterFailure.IsUnreachable(aborted));
        Assert.False(ClusterFailure.IsUndelivered(aborted));
        Assert.False(ClusterFailure.IsUnreachable(new InvalidOperationException()));
    }
}
