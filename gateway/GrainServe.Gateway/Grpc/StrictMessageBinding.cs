using GrainServe.Gateway.Grpc.Protocol;
using Grpc.Core;

namespace GrainServe.Gateway.Grpc;

/// <summary>
/// Binds <see cref="GrpcInferenceService"/> with request marshallers that answer bytes which are not the request message
/// with <c>INVALID_ARGUMENT</c>. grpc-dotnet parses a unary call's message before any interceptor or service code runs,
/// and reports a parser exception as <c>UNKNOWN</c> ("Exception was thrown by handler"), which tells a client nothing;
/// an <see cref="RpcException"/> thrown by the deserializer keeps its status. Found by grpc-dotnet through the
/// <see cref="BindServiceMethodAttribute"/> on the service, in place of the generated binding.
/// </summary>
internal static class StrictMessageBinding
{
    /// <summary>The generated binding, each method's request marshaller wrapped.</summary>
    /// <remarks>
    /// The second parameter is the generated base type, as grpc-dotnet requires of a bind method: it finds the handlers as
    /// overrides of that type's methods.
    /// </remarks>
    public static void BindService(ServiceBinderBase binder, GRPCInferenceService.GRPCInferenceServiceBase service) =>
        GRPCInferenceService.BindService(new StrictMessageBinder(binder), service);
}
