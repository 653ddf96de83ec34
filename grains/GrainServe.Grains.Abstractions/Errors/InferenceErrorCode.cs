namespace GrainServe.Errors;

/// <summary>
/// Why an inference call failed. The gateway maps each member to one HTTP status and one gRPC status.
/// </summary>
public enum InferenceErrorCode
{
    /// <summary>The request is malformed or does not match the model: 400 / INVALID_ARGUMENT. Not retryable.</summary>
    InvalidInput,

    /// <summary>No such model, or no such version of it: 404 / NOT_FOUND.</summary>
    ModelNotFound,

    /// <summary>The model exists but no instance can serve now (loading, failed to load, no device has room): 503 / UNAVAILABLE. Retryable.</summary>
    ModelNotReady,

    /// <summary>The instance's queue is at <c>max_queue_size</c>: 503 / UNAVAILABLE. Retryable at once.</summary>
    QueueFull,

    /// <summary>The request waited in the queue past its timeout: 503 / DEADLINE_EXCEEDED. Retryable.</summary>
    Timeout,

    /// <summary>The client went away or the server is stopping: 503 / CANCELLED.</summary>
    Cancelled,

    /// <summary>The server failed on a valid request, for example the runtime failed a batch: 500 / INTERNAL.</summary>
    Internal,

    /// <summary>The request body is larger than the configured limit: 413 / RESOURCE_EXHAUSTED.</summary>
    PayloadTooLarge,

    /// <summary>
    /// The gateway has API keys on and the request brought none, or one it does not know: 401 (with
    /// <c>WWW-Authenticate: Bearer</c>) / UNAUTHENTICATED. Raised by the gateway only; never crosses a grain call.
    /// </summary>
    Unauthenticated,

    /// <summary>The API key is known but lacks the scope the route needs or the model it names: 403 / PERMISSION_DENIED. Gateway only.</summary>
    PermissionDenied,

    /// <summary>
    /// The API key's quota (requests per second, tokens per minute) cannot cover the request now: 429 (with
    /// <c>Retry-After</c>) / RESOURCE_EXHAUSTED. Retryable after the wait. Gateway only.
    /// </summary>
    QuotaExceeded,

    /// <summary>
    /// The request could not be answered by its deadline (its gRPC deadline, or REST's <c>x-request-deadline-ms</c>), so it
    /// was failed before it ran: 504 / DEADLINE_EXCEEDED. Unlike <see cref="Timeout"/> (Triton's queue timeout, a 503 to
    /// retry) the client's own time is up; it may send again with a new deadline.
    /// </summary>
    DeadlineExceeded,
}
