namespace GrainServe.Gateway.Auth;

/// <summary>How a refused request is answered: in the error shape of the protocol it spoke.</summary>
internal enum ApiKeyErrorStyle
{
    /// <summary>The V2 routes: <c>{"error": "..."}</c>.</summary>
    V2,

    /// <summary>OpenAI's routes: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
    OpenAi,

    /// <summary>The metrics port: a browser is sent to the sign-in form; anything else gets <c>{"error": "..."}</c>.</summary>
    MetricsPort,
}
