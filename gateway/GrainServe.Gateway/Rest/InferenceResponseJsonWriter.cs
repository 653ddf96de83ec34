using System.Buffers;
using System.Text.Json;
using GrainServe.Contracts;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// Writes the Open Inference Protocol's JSON inference response (<c>$inference_response</c>). Outputs asked for
/// as binary (Triton's binary tensor data extension) get a <c>binary_data_size</c> parameter instead of
/// <c>data</c>, and their bytes follow the JSON in output order.
/// </summary>
internal static class InferenceResponseJsonWriter
{
    /// <summary>Writes the response to the HTTP body, as JSON or as JSON header plus binary part.</summary>
    public static async Task WriteAsync(HttpContext context, InferenceResponse response, RestInferenceRequest request)
    {
        var http = context.Response;
        http.StatusCode = StatusCodes.Status200OK;
        var binary = response.Outputs.Where(o => request.IsBinary(o.Name)).ToList();
        if (binary.Count == 0)
        {
            http.ContentType = "application/json";
            await using var direct = new Utf8JsonWriter(http.BodyWriter, ProtocolJson.WriterOptions);
            Write(direct, response, request);
            await direct.FlushAsync(context.RequestAborted);
            return;
        }

        // The header's length must be known before the body starts, so the JSON is written to a buffer first.
        var header = new ArrayBufferWriter<byte>();
        await using (var writer = new Utf8JsonWriter(header, ProtocolJson.WriterOptions))
        {
            Write(writer, response, request);
        }

        http.ContentType = "application/octet-stream";
        http.Headers[InferenceRequestJsonReader.HeaderLengthHeader] = header.WrittenCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.ContentLength = header.WrittenCount + binary.Sum(o => (long)o.Data.Length);
        await http.Body.WriteAsync(header.WrittenMemory, context.RequestAborted);
        foreach (var output in binary)
        {
            await http.Body.WriteAsync(output.Data, context.RequestAborted);
        }
    }

    private static void Write(Utf8JsonWriter writer, InferenceResponse response, RestInferenceRequest request)
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
            if (request.IsBinary(output.Name))
            {
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", output.Data.Length);
                writer.WriteEndObject();
            }
            else
            {
                writer.WritePropertyName("data");
                TensorJsonCodec.Encode(writer, output);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
