namespace GrainServe.Gateway;

/// <summary>Event ids of the gateway's log messages: 2000-2099 REST, 2100-2199 hosting, 2200-2299 data plane and operator page.</summary>
internal static class EventIds
{
    public const int UnhandledRequestError = 2000;
    public const int UnhandledGrpcError = 2001;
    public const int GatewayListening = 2100;
    public const int RequestWindowsFull = 2200;
}
