using System.Globalization;
using System.Text;
using GrainServe.Gateway.Rest;

namespace GrainServe.Gateway.Fuzz;

/// <summary>Turns a <see cref="RestSeed"/> and its mutations into the request to send: JSON mutations first, then bytes, headers, path and method.</summary>
internal static class RestMutator
{
    public static FuzzRequest Build(RestSeed seed, Mutation<MutationKind>[] mutations)
    {
        var json = seed.Json is null ? null : JsonMutator.Apply(Encoding.UTF8.GetBytes(seed.Json), mutations.Where(IsStructural));
        var body = json is null ? null : seed.Tail is null ? json : [.. json, .. seed.Tail];
        var contentType = body is null ? null : seed.Tail is null ? "application/json" : "application/octet-stream";
        var headerLength = seed.Tail is null || json is null ? null : Text(json.Length);
        var path = seed.Path;
        var method = seed.Method;
        foreach (var mutation in mutations.Where(m => !IsStructural(m)))
        {
            switch (mutation.Kind)
            {
                case MutationKind.FlipByte when body is { Length: > 0 }:
                    body = [.. body];
                    body[mutation.Where % body.Length] ^= (byte)((mutation.What % 255) + 1);
                    break;
                case MutationKind.Truncate when body is { Length: > 0 }:
                    body = body[..(mutation.Where % body.Length)];
                    break;
                case MutationKind.InsertBytes when body is not null:
                    {
                        var at = mutation.Where % (body.Length + 1);
                        body = [.. body[..at], .. FuzzValues.Bytes[mutation.What % FuzzValues.Bytes.Length], .. body[at..]];
                        break;
                    }

                case MutationKind.EmptyBody:
                    body = [];
                    break;
                case MutationKind.ContentType:
                    contentType = FuzzValues.ContentTypes[mutation.What % FuzzValues.ContentTypes.Length];
                    body ??= [];
                    break;
                case MutationKind.HeaderLength:
                    headerLength = Length(FuzzValues.HeaderLengths[mutation.What % FuzzValues.HeaderLengths.Length], json?.Length ?? 0);
                    break;
                case MutationKind.PathSegment:
                    path = ReplaceSegment(path, mutation);
                    break;
                case MutationKind.Method:
                    method = FuzzValues.Methods[mutation.What % FuzzValues.Methods.Length];
                    break;
            }
        }

        IReadOnlyList<(string, string)> headers = headerLength is null ? [] : [(InferenceRequestJsonReader.HeaderLengthHeader, headerLength)];
        return new FuzzRequest(method, path, contentType, headers, body) { Origin = $"{seed} [{string.Join(", ", mutations.AsEnumerable())}]" };
    }

    // JSON mutations act on the parsed body, so they run before any byte-level one breaks the parse.
    private static bool IsStructural(Mutation<MutationKind> mutation) => mutation.Kind <= MutationKind.Wrap;

    // The model's segment (after "models/") or the version's (after "versions/"); the fuzz test's own models keep theirs only
    // when the replacement names no model at all, which every one in the table does.
    private static string ReplaceSegment(string path, Mutation<MutationKind> mutation)
    {
        var segments = path.Split('/');
        var targets = Enumerable.Range(1, segments.Length - 1).Where(i => segments[i - 1] is "models" or "versions" && segments[i] != "stats").ToArray();
        if (targets.Length == 0)
        {
            return path;
        }

        segments[targets[mutation.Where % targets.Length]] = FuzzValues.PathSegments[mutation.What % FuzzValues.PathSegments.Length];
        return string.Join('/', segments);
    }

    private static string Length(string value, int length) => value switch
    {
        "{len-1}" => Text(length - 1),
        "{len}" => Text(length),
        "{len+1}" => Text(length + 1),
        "{len*2}" => Text(length * 2),
        _ => value,
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
