namespace GrainServe.Kubernetes;

/// <summary>The first field of a manifest that its schema refuses.</summary>
/// <param name="Path">The field's path in the manifest, as <c>spec.containers[0].ports[1].containerPort</c>.</param>
/// <param name="Line">The 1-based line of the field's value (of its object, for a missing field).</param>
/// <param name="Message">What is wrong, in the schema's terms.</param>
public sealed record SchemaViolation(string Path, long Line, string Message)
{
    public override string ToString() => $"{Path} (line {Line}): {Message}";
}
