using GrainServe.Contracts;
using GrainServe.Runtime;

namespace GrainServe.PlainServer;

/// <summary>The loaded sessions; each request runs by itself, concurrently with the others.</summary>
internal sealed class PlainModels(Dictionary<string, IModelRunner> runners)
{
    public async Task<InferenceResponse> InferAsync(string model, InferenceRequest request)
    {
        var runner = runners[model];
        var outputs = request.RequestedOutputs ?? runner.Config.Output.Select(o => o.Name).ToArray();
        var inputs = runner.Config.Input.Select(i => request.Inputs.First(r => r.Name == i.Name)).ToArray();
        var results = await runner.RunAsync(inputs, outputs, CancellationToken.None);
        return new InferenceResponse(model, "1", request.Id, results);
    }
}
