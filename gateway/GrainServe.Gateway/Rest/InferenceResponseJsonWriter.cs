using System.Text.Json;
using GrainServe.Contracts;

namespace GrainServe.Gateway.Rest;

/// <summary>Writes the Open Inference Protocol's JSON inference response (<c>$inference_response</c>).</summary>
internal static class InferenceResponseJsonWriter
{
    public static void Write(Utf8JsonWriter writer, InferenceResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name", response.ModelName);
        writer.WriteString("model_version", response.ModelVersion);
        if (response.Id is not null)
        {
            writer.WriteString("id", response.Id);
        }

        writer.WriteStartArray("outputs");
        foreach (var output in response.Outputs)
        {
            writer.WriteStartObject();
            ProtocolJson.WriteTensorHeader(writer, output.Name, output.Datatype, output.Shape);
            writer.WritePropertyName("data");
            TensorJsonCodec.Encode(writer, output);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
