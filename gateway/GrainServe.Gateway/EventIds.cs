namespace GrainServe.Gateway;

/// <summary>Event ids of the gateway's log messages: 2000-2099 REST, 2100-2199 hosting.</summary>
internal static class EventIds
{
    public const int UnhandledRequestError = 2000;
    public const int UnhandledGrpcError = 2001;
    public const int GatewayListening = 2100;
}
