using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;
using Google.Protobuf;
using Grpc.Core;

namespace GrainServe.Gateway.Auth;

/// <summary>The gRPC service with API keys on, over TLS: the <c>authorization</c> metadata entry.</summary>
[Collection(AuthGatewayCollection.Name)]
public sealed class AuthGrpcTests(AuthGatewayFixture fixture)
{
    [Fact]
    public async Task ModelInfer_WithoutMetadata_IsUnauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelInferAsync(SimpleRequest()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task ModelInfer_WithAWrongKey_IsUnauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelInferAsync(SimpleRequest(), new Metadata { { "authorization", "Bearer gsk-wrong" } }));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("the API key is not known", error.Status.Detail);
    }

    [Fact]
    public async Task ModelInfer_WithTheKey_Answers()
    {
        var response = await fixture.Grpc.ModelInferAsync(SimpleRequest(), fixture.Bearer("simple-only"));

        Assert.Equal("simple", response.ModelName);
        Assert.Equal(2, response.RawOutputContents.Count);
    }

    [Fact]
    public async Task ModelInfer_KeyWithoutTheModel_IsPermissionDenied()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelInferAsync(SimpleRequest(), fixture.Bearer("tiny-glob")));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task RepositoryModelUnload_KeyWithoutRepositoryScope_IsPermissionDenied()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Grpc.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = AuthGatewayFixture.UnloadModel }, fixture.Bearer("simple-only")));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task ServerLiveAndReady_WithoutMetadata_StayOpen()
    {
        Assert.True((await fixture.Grpc.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await fixture.Grpc.ServerReadyAsync(new ServerReadyRequest())).Ready);
    }

    [Fact]
    public async Task RepositoryIndex_ShowsOnlyTheKeysModels()
    {
        var index = await fixture.Grpc.RepositoryIndexAsync(new RepositoryIndexRequest(), fixture.Bearer("simple-only"));

        Assert.Equal(["simple"], index.Models.Select(m => m.Name).Distinct());
    }

    [Fact]
    public async Task ModelStreamInfer_AForbiddenModelInTheStream_EndsItWithPermissionDenied()
    {
        using var call = fixture.Grpc.ModelStreamInfer(fixture.Bearer("simple-only"));
        await call.RequestStream.WriteAsync(SimpleRequest());
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(string.Empty, call.ResponseStream.Current.ErrorMessage);

        var forbidden = SimpleRequest();
        forbidden.ModelName = "add_sub";
        await call.RequestStream.WriteAsync(forbidden);
        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        });

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    private static ModelInferRequest SimpleRequest()
    {
        var request = new ModelInferRequest { ModelName = "simple" };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32" };
            tensor.Shape.AddRange([1, 16]);
            request.Inputs.Add(tensor);
            request.RawInputContents.Add(ByteString.CopyFrom(Enumerable.Range(1, 16).SelectMany(BitConverter.GetBytes).ToArray()));
        }

        return request;
    }
}
