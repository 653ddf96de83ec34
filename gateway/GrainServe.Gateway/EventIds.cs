namespace GrainServe.Gateway;

/// <summary>Event ids of the gateway's log messages: 2000-2099 REST, 2100-2199 hosting, 2200-2299 data plane and operator page, 2300-2399 API keys, 2400-2449 quotas.</summary>
internal static class EventIds
{
    public const int UnhandledRequestError = 2000;
    public const int UnhandledGrpcError = 2001;
    public const int GatewayListening = 2100;
    public const int RequestWindowsFull = 2200;
    public const int ApiKeysLoaded = 2300;
    public const int ApiKeysFileInvalid = 2301;
    public const int RequestUnauthenticated = 2302;
    public const int RequestForbidden = 2303;
    public const int GrpcUnauthenticated = 2304;
    public const int GrpcForbidden = 2305;
    public const int SessionStarted = 2306;
    public const int SignInRefused = 2307;
    public const int QuotaExceeded = 2400;
    public const int QuotaLeaseReturnFailed = 2401;
}
