using System.Runtime.InteropServices;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Fuzz;

/// <summary>
/// One or more valid requests for every JSON route: V2 inference (JSON and binary tensors), generation, metadata,
/// configuration, statistics, the repository and traffic, and OpenAI's generation, embedding and model routes. The
/// repository and traffic changes go only to the fuzz test's own models.
/// </summary>
internal static class RestSeeds
{
    private const string Simple = """
        {"id":"fuzz","inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]]}]}
        """;

    private const string AddSub = """
        {"parameters":{"binary_data_output":false},"inputs":[{"name":"INPUT0","shape":[2,4],"datatype":"FP32","data":[[1,2,3,4],[5,6,7,8]]},{"name":"INPUT1","shape":[2,4],"datatype":"FP32","data":[1,1,1,1,2,2,2,2]}],"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}},{"name":"OUTPUT1"}]}
        """;

    private const string Chat = """
        {"model":"tiny_llama","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hi there"}]}],"max_tokens":3,"temperature":0,"top_p":0.9,"stop":["\n"],"seed":7,"user":"fuzz","metadata":{"k":"v"}}
        """;

    public static readonly RestSeed[] All =
    [
        new("POST", "/v2/models/simple/infer", Simple),
        new("POST", "/v2/models/add_sub/versions/1/infer", AddSub),
        new("POST", "/v2/models/identity_bytes/infer", """{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"BYTES","data":["hello","wörld"],"parameters":{"tag":"a"}}]}"""),
        new("POST", "/v2/models/identity_fp64/infer", """{"inputs":[{"name":"INPUT0","shape":[3],"datatype":"FP64","data":["NaN","-Infinity",1e300]}]}"""),
        new("POST", "/v2/models/identity_fp16/infer", """{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"FP16","data":[0.5,65504]}]}"""),
        new("POST", "/v2/models/identity_uint64/infer", """{"inputs":[{"name":"INPUT0","shape":[2],"datatype":"UINT64","data":[0,18446744073709551615]}]}"""),
        new("POST", "/v2/models/identity_bool/infer", """{"inputs":[{"name":"INPUT0","shape":[2],"datatype":"BOOL","data":[true,false]}],"outputs":[{"name":"OUTPUT0"}]}"""),
        new("POST", "/v2/models/arctic_embed_xs/infer", """{"inputs":[{"name":"TEXT","shape":[2,1],"datatype":"BYTES","data":["Hello, world","Bye"]}],"outputs":[{"name":"TOKEN_COUNT"}]}"""),
        new("POST", "/v2/models/add_sub/infer", """{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}},{"name":"INPUT1","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}}]}""",
            [.. Floats(1, 2, 3, 4), .. Floats(10, 20, 30, 40)]),
        new("POST", "/v2/models/identity_bytes/infer", """{"parameters":{"binary_data_output":true},"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"BYTES","parameters":{"binary_data_size":11}}]}""",
            [2, 0, 0, 0, (byte)'h', (byte)'i', 1, 0, 0, 0, (byte)'!']),
        new("POST", "/v2/models/tiny_llama/generate", """{"text_input":"The weather","parameters":{"max_tokens":3,"temperature":0,"details":true,"stop":["x"]}}"""),
        new("POST", "/v2/models/tiny_llama/generate_stream", """{"text_input":"A river","parameters":{"max_tokens":3,"temperature":0.5,"top_p":0.9,"seed":3}}"""),
        new("GET", "/v2/models/simple", null),
        new("GET", "/v2/models/simple/versions/1", null),
        new("GET", "/v2/models/add_sub/ready", null),
        new("GET", "/v2/models/simple/config", null),
        new("GET", "/v2/models/simple/versions/1/stats", null),
        new("GET", "/v2/models/stats", null),
        new("GET", "/v2", null),
        new("POST", "/v2/repository/index", """{"ready":true}"""),
        new("POST", $"/v2/repository/models/{GatewayFixture.FuzzReload}/load", """{"parameters":{"config":"{\"max_batch_size\": 8}"}}"""),
        new("POST", $"/v2/repository/models/{GatewayFixture.FuzzReload}/load", """{"parameters":{"config":{"max_batch_size":4,"dynamic_batching":{"max_queue_delay_microseconds":100}}}}"""),
        new("POST", $"/v2/repository/models/{GatewayFixture.FuzzReload}/unload", "{}"),
        new("GET", $"/v2/models/{GatewayFixture.FuzzTraffic}/traffic", null),
        new("PUT", $"/v2/models/{GatewayFixture.FuzzTraffic}/traffic", """{"weights":{"1":50,"2":50}}"""),
        new("POST", "/v1/chat/completions", Chat),
        new("POST", "/v1/chat/completions", """{"model":"tiny_llama","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":2,"stream":true,"stream_options":{"include_usage":true},"logprobs":true,"top_logprobs":2}"""),
        new("POST", "/v1/completions", """{"model":"tiny_llama","prompt":"Once upon a time","max_tokens":3,"temperature":0,"logprobs":1,"n":2}"""),
        new("POST", "/v1/completions", """{"model":"tiny_llama","prompt":[7454,2402,257],"max_tokens":2,"stream":true,"frequency_penalty":0.5}"""),
        new("POST", "/v1/embeddings", """{"model":"arctic_embed_xs","input":["The cat sits.","A kitten rests."],"encoding_format":"float","dimensions":384}"""),
        new("POST", "/v1/embeddings", """{"model":"arctic_embed_xs","input":"One text","encoding_format":"base64","user":"fuzz"}"""),
        new("GET", "/v1/models", null),
        new("GET", "/v1/models/tiny_llama", null),
        new("POST", $"/v2/models/{GatewayFixture.Xtts}/infer", """{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["Hello there."]}],"parameters":{"voice":"alloy","speed":1.5,"max_codes":8,"seed":3},"outputs":[{"name":"audio_int16"},{"name":"sample_rate"}]}"""),
        new("POST", "/v1/audio/speech", """{"model":"tiny_piper","input":"Hello there. How are you?","voice":"alloy","response_format":"wav","speed":1.25}"""),
        new("POST", "/v1/audio/speech", """{"model":"tiny_piper","input":"Hi.","voice":"alloy","response_format":"pcm","stream_format":"sse"}"""),
        new("POST", "/v1/audio/speech", $$"""{"model":"{{GatewayFixture.Xtts}}","input":"Hi.","voice":"alloy","response_format":"wav"}"""),
        new("GET", $"/v1/audio/voices?model={GatewayFixture.Xtts}", null),
        new("DELETE", $"/v1/audio/voices/nobody?model={GatewayFixture.Xtts}", null),
    ];

    private static byte[] Floats(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
