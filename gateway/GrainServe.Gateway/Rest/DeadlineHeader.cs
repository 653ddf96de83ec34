using System.Globalization;
using GrainServe.Errors;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// REST's deadline: the <c>x-request-deadline-ms</c> header, the milliseconds the client will wait for its answer,
/// counted from when the gateway starts on the request (a budget, as gRPC's <c>grpc-timeout</c> is, so client and
/// server clocks need not agree). It becomes the request's absolute <see cref="Contracts.InferenceRequest.Deadline"/>.
/// </summary>
public static class DeadlineHeader
{
    /// <summary>The header's name.</summary>
    public const string Name = "x-request-deadline-ms";

    /// <summary>The longest budget taken, a day in milliseconds: anything longer is a unit mistake, not a deadline.</summary>
    public const long MaxMilliseconds = 86_400_000;

    /// <summary>The deadline the request's header sets, or null without one; throws InvalidInput for a malformed value.</summary>
    public static DateTimeOffset? Read(HttpContext context)
    {
        var values = context.Request.Headers[Name];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1 || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds > MaxMilliseconds)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"header {Name} is '{values}'; it must be one whole number of milliseconds the client waits for the answer, from 0 to {MaxMilliseconds}");
        }

        var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        return time.GetUtcNow().AddMilliseconds(milliseconds);
    }
}
