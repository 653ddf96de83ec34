namespace GrainServe.Telemetry;

/// <summary>
/// The names GrainServe's traces use, shared by the grains (which make the spans) and the hosts (which listen to them).
/// Span, event and attribute names are Triton's where Triton's OpenTelemetry trace mode has one (its
/// <c>InferRequest</c> and <c>compute</c> spans, its <c>QUEUE_START</c>… timestamps as events, its
/// <c>triton.model_name</c> attributes), so that dashboards built for Triton read GrainServe's traces too.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> every GrainServe span comes from: <c>GrainServe</c>.</summary>
    public const string ActivitySourceName = "GrainServe";

    /// <summary>Span: one inference or generation request as the gateway's router serves it, failovers included (Triton's top-level span).</summary>
    public const string InferRequestSpan = "InferRequest";

    /// <summary>Span: one routing decision, the version and the instance an attempt goes to.</summary>
    public const string RouteSpan = "route";

    /// <summary>Span: the time a request waited in its instance's queue, until its batch (or, for a sequence, the engine) took it.</summary>
    public const string QueueSpan = "queue";

    /// <summary>Span: one batch an instance ran, in a trace of its own, with a link to each traced request it served.</summary>
    public const string BatchSpan = "batch";

    /// <summary>Span: a request's share of its batch's run, joining and splitting included (Triton's <c>compute</c> span).</summary>
    public const string ComputeSpan = "compute";

    /// <summary>Span: a generated sequence's prefill and decode steps, from the engine's admission to its last token.</summary>
    public const string DecodeSpan = "decode";

    /// <summary>Attribute: the model's name (Triton's).</summary>
    public const string ModelName = "triton.model_name";

    /// <summary>Attribute: the model version that served the request, as text (Triton's, where it is an integer).</summary>
    public const string ModelVersion = "triton.model_version";

    /// <summary>Attribute: the client's request <c>id</c>, when it sent one (Triton's <c>request_id</c>).</summary>
    public const string RequestId = "triton.request_id";

    /// <summary>Attribute: the GPU grain key of the device, <c>{silo}/{device}</c>.</summary>
    public const string Device = "grainserve.device";

    /// <summary>Attribute: the model instance's id on its device.</summary>
    public const string InstanceId = "grainserve.instance_id";

    /// <summary>Attribute: rows in the batch (the batch dimension's total over its requests).</summary>
    public const string BatchSize = "grainserve.batch_size";

    /// <summary>Attribute: requests in the batch.</summary>
    public const string BatchRequests = "grainserve.batch_requests";

    /// <summary>Attribute: which attempt a routing decision is, from 1; more than 1 after a failover.</summary>
    public const string Attempt = "grainserve.attempt";

    /// <summary>Attribute: the <c>InferenceErrorCode</c> a request ended with.</summary>
    public const string ErrorCode = "grainserve.error_code";

    /// <summary>Attribute: a sequence's prompt tokens.</summary>
    public const string PromptTokens = "grainserve.prompt_tokens";

    /// <summary>Attribute: a sequence's generated tokens.</summary>
    public const string CompletionTokens = "grainserve.completion_tokens";

    /// <summary>Span: a transcription's audio decoding and log-mel front end.</summary>
    public const string AudioSpan = "audio";

    /// <summary>Span: a transcription's windows, each encoded once and decoded on the generation engine.</summary>
    public const string TranscribeSpan = "transcribe";

    /// <summary>Attribute: the seconds of audio a transcription decoded.</summary>
    public const string AudioSeconds = "grainserve.audio_seconds";

    /// <summary>Span: one sentence of a Piper synthesis, one VITS run, started as the sentence starts.</summary>
    public const string SentenceSpan = "sentence";

    /// <summary>Attribute: a sentence's place in its synthesis, from 0.</summary>
    public const string SentenceIndex = "grainserve.sentence_index";

    /// <summary>Attribute: the sentences of the synthesis a sentence span belongs to.</summary>
    public const string SentenceCount = "grainserve.sentence_count";

    /// <summary>Event (Triton's): the request reached its instance.</summary>
    public const string RequestStart = "REQUEST_START";

    /// <summary>Event (Triton's): the request entered its instance's queue.</summary>
    public const string QueueStart = "QUEUE_START";

    /// <summary>Event (Triton's): the batch started: inputs are being joined.</summary>
    public const string ComputeStart = "COMPUTE_START";

    /// <summary>Event (Triton's): the batch's inputs are joined; the model runs.</summary>
    public const string ComputeInputEnd = "COMPUTE_INPUT_END";

    /// <summary>Event (Triton's): the model ran; outputs are being split.</summary>
    public const string ComputeOutputStart = "COMPUTE_OUTPUT_START";

    /// <summary>Event (Triton's): the batch's outputs are split.</summary>
    public const string ComputeEnd = "COMPUTE_END";

    /// <summary>Event (Triton's): the request's answer is complete.</summary>
    public const string RequestEnd = "REQUEST_END";

    /// <summary>Event: an attempt found its instance gone or not ready, and the router tries another.</summary>
    public const string Failover = "FAILOVER";
}
