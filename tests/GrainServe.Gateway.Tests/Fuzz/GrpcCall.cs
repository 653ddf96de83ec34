using Google.Protobuf;

namespace GrainServe.Gateway.Fuzz;

/// <summary>One gRPC call of the fuzz test: the method, its message, and (for a malformed protobuf) the bytes sent instead.</summary>
internal sealed record GrpcCall(string Method, IMessage Message, byte[]? Raw = null)
{
    public string Origin { get; init; } = "";

    public override string ToString()
    {
        var text = Raw is null ? Message.ToString() ?? "" : $"{Raw.Length} bytes: {Convert.ToHexString(Raw.AsSpan(0, Math.Min(Raw.Length, 600)))}";
        return $"{Method} from {Origin}\n{(text.Length > 3000 ? text[..3000] + "…" : text)}";
    }
}
