using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>The schema checks on a small schema in the shape of KServe's, so they run without the CRD files.</summary>
public sealed class StructuralSchemaValidatorTests
{
    private const string Schema = """
        type: object
        required: [spec]
        properties:
          metadata:
            type: object
          spec:
            type: object
            properties:
              name:
                type: string
              minReplicas:
                type: integer
              scale:
                type: number
              disabled:
                type: boolean
              protocol:
                type: string
                enum: [TCP, UDP]
              port:
                x-kubernetes-int-or-string: true
                anyOf: [{type: integer}, {type: string}]
              labels:
                type: object
                additionalProperties:
                  type: string
              config:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              note:
                type: string
                nullable: true
              ports:
                type: array
                items:
                  type: object
                  required: [containerPort]
                  properties:
                    name:
                      type: string
                    containerPort:
                      type: integer
        """;

    [Fact]
    public void Validate_EveryKindOfFieldWell_ReturnsNull()
    {
        var violation = Validate("""
            metadata: {name: x, anything: [1, 2]}
            spec:
              name: gateway
              minReplicas: 2
              scale: 0.5
              disabled: false
              protocol: TCP
              port: http1
              labels: {app.kubernetes.io/name: grainserve}
              config: {any: {thing: [1, "two"]}}
              note: null
              ports:
                - {name: http1, containerPort: 8000}
                - containerPort: 0x1F41
            """);

        Assert.Null(violation);
    }

    [Fact]
    public void Validate_MisspeltField_NamesItsPathAndTheField()
    {
        var violation = Validate("spec:\n  ports:\n    - name: h2c\n      containerPrt: 8001\n");

        Assert.Equal("spec.ports[0].containerPrt", violation?.Path);
        Assert.Equal(4, violation?.Line);
        Assert.Contains("did you mean 'containerPort'", violation?.Message);
    }

    [Fact]
    public void Validate_StringWhereIntegerExpected_NamesItsPath()
    {
        var violation = Validate("spec:\n  minReplicas: \"2\"\n");

        Assert.Equal("spec.minReplicas", violation?.Path);
        Assert.Equal("must be an integer, not a string ('2')", violation?.Message);
    }

    [Theory]
    [InlineData("name: yes", "spec.name")]
    [InlineData("name: 1", "spec.name")]
    [InlineData("minReplicas: 1.5", "spec.minReplicas")]
    [InlineData("disabled: \"false\"", "spec.disabled")]
    [InlineData("scale: fast", "spec.scale")]
    [InlineData("port: true", "spec.port")]
    [InlineData("protocol: SCTP", "spec.protocol")]
    [InlineData("labels: {tier: 1}", "spec.labels.tier")]
    [InlineData("labels: {app.kubernetes.io/version: 1}", "spec.labels[\"app.kubernetes.io/version\"]")]
    [InlineData("ports: {name: http1}", "spec.ports")]
    [InlineData("ports: [{name: http1}]", "spec.ports[0].containerPort")]
    [InlineData("name:", "spec.name")]
    public void Validate_WrongValue_NamesItsPath(string field, string path)
    {
        Assert.Equal(path, Validate($"spec:\n  {field}\n")?.Path);
    }

    [Theory]
    [InlineData("port: 8000")]
    [InlineData("port: \"8000\"")]
    [InlineData("scale: 3")]
    [InlineData("name: \"yes\"")]
    [InlineData("note:")]
    public void Validate_ValueTheSchemaAllows_ReturnsNull(string field)
    {
        Assert.Null(Validate($"spec:\n  {field}\n"));
    }

    [Fact]
    public void Validate_MissingRequiredField_NamesIt()
    {
        var violation = Validate("metadata: {name: x}\n");

        Assert.Equal("spec", violation?.Path);
        Assert.Equal("is required and missing", violation?.Message);
    }

    private static SchemaViolation? Validate(string yaml) =>
        StructuralSchemaValidator.Validate(Manifests.Parse(Schema).Single(), Parse(yaml));

    private static YamlMappingNode Parse(string yaml) => Manifests.Parse(yaml).Single();
}
