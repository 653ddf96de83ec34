using System.Buffers.Binary;
using System.Text;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Fuzz;

/// <summary>Builds a mutated multipart upload for OpenAI's transcription and translation routes and the voices route, part by part, as bytes.</summary>
internal static class FormMutator
{
    private const string Boundary = "fuzz-boundary-7d1";

    /// <summary>
    /// A 16 kHz mono 16-bit WAV with no samples: every byte of the header is checked, and nothing is decoded. The random-weight
    /// test model's timestamps can creep on 20 ms a window, so a clip of speech length may take minutes (whisper's seek loop
    /// would too); the gRPC pass decodes the speech clip with max_tokens 1 instead.
    /// </summary>
    public static readonly byte[] Wav = ToneWav.Create(0, 440);

    /// <summary>The speech tests' clip, 2 s of 440 Hz.</summary>
    public static readonly byte[] Speech = ToneWav.Create(2.0, 440);

    public static readonly string[] Paths = ["/v1/audio/transcriptions", "/v1/audio/translations", "/v1/audio/voices"];

    public static FuzzRequest Build(int route, Mutation<FormMutationKind>[] mutations)
    {
        var fields = route == 2
            ? new List<(string Name, byte[] Value)>
            {
                ("file", Wav),
                ("model", Encoding.UTF8.GetBytes(GatewayFixture.Xtts)),
                ("name", "fuzz-voice"u8.ToArray()),
            }
            : new List<(string Name, byte[] Value)>
            {
                ("file", Wav),
                ("model", Encoding.UTF8.GetBytes(GatewayFixture.Whisper)),
                ("response_format", "verbose_json"u8.ToArray()),
                ("timestamp_granularities[]", "segment"u8.ToArray()),
                ("temperature", "0"u8.ToArray()),
                ("prompt", "Hello"u8.ToArray()),
            };
        if (route == 0)
        {
            fields.Add(("language", "en"u8.ToArray()));
        }

        var contentType = $"multipart/form-data; boundary={Boundary}";
        foreach (var mutation in mutations.Where(m => m.Kind <= FormMutationKind.WavHeader))
        {
            var at = mutation.Where % fields.Count;
            // An empty or missing temperature changes the decoding the clip was chosen for: kept.
            if (fields[at].Name == "temperature" && mutation.Kind is FormMutationKind.DropField or FormMutationKind.FieldValue)
            {
                continue;
            }

            switch (mutation.Kind)
            {
                case FormMutationKind.FieldValue:
                    fields[at] = (fields[at].Name, FormValues.Fields[mutation.What % FormValues.Fields.Length]);
                    break;
                case FormMutationKind.DropField:
                    fields.RemoveAt(at);
                    break;
                case FormMutationKind.DuplicateField:
                    fields.Add(fields[at]);
                    break;
                case FormMutationKind.AddField:
                    fields.Add((FormValues.Names[mutation.What % FormValues.Names.Length], FormValues.Fields[mutation.Where % FormValues.Fields.Length]));
                    break;
                case FormMutationKind.FileBytes when fields.FindIndex(f => f.Name == "file") is >= 0 and var file:
                    var files = FormValues.Files(Wav);
                    fields[file] = ("file", files[mutation.What % files.Length]);
                    break;
                case FormMutationKind.WavHeader when fields.FindIndex(f => f.Name == "file") is >= 0 and var file && fields[file].Value.Length >= 44:
                    fields[file] = ("file", PatchHeader(fields[file].Value, mutation));
                    break;
            }

            if (fields.Count == 0)
            {
                break;
            }
        }

        var body = Serialize(fields);
        foreach (var mutation in mutations.Where(m => m.Kind > FormMutationKind.WavHeader))
        {
            switch (mutation.Kind)
            {
                case FormMutationKind.FlipByte when body.Length > 0:
                    body[mutation.Where % body.Length] ^= (byte)((mutation.What % 255) + 1);
                    break;
                case FormMutationKind.Truncate when body.Length > 0:
                    body = body[..(mutation.Where % body.Length)];
                    break;
                case FormMutationKind.ContentType:
                    contentType = new[] { "multipart/form-data", "multipart/form-data; boundary=other", "application/json", "multipart/form-data; boundary=\"" }[mutation.What % 4];
                    break;
            }
        }

        return new FuzzRequest("POST", Paths[route], contentType, [], body) { Origin = $"{Paths[route]} [{string.Join(", ", mutations.AsEnumerable())}]" };
    }

    private static byte[] PatchHeader(byte[] wav, Mutation<FormMutationKind> mutation)
    {
        var copy = wav.ToArray();
        var (offset, width) = FormValues.HeaderFields[mutation.Where % FormValues.HeaderFields.Length];
        var value = FormValues.HeaderNumbers[mutation.What % FormValues.HeaderNumbers.Length];
        if (width == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(offset), (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), value);
        }

        return copy;
    }

    private static byte[] Serialize(List<(string Name, byte[] Value)> fields)
    {
        using var body = new MemoryStream();
        foreach (var (name, value) in fields)
        {
            var disposition = name == "file"
                ? $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
                : $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n";
            body.Write(Encoding.UTF8.GetBytes(disposition));
            body.Write(value);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.UTF8.GetBytes($"--{Boundary}--\r\n"));
        return body.ToArray();
    }
}
