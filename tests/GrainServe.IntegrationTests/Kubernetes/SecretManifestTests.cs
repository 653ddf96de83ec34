using System.Text.Json;
using k8s;
using k8s.Models;

namespace GrainServe.Kubernetes;

/// <summary>
/// The secrets of k8s/secrets are real Secrets, and what reads them finds them: every file path a pod's environment names
/// under a Secret volume is a key of that Secret, the keys file is a keys file, TLS turns the probes to HTTPS, and the
/// PodMonitor's bearer key is there too.
/// </summary>
public sealed class SecretManifestTests
{
    private static readonly Dictionary<string, V1Secret> Secrets = Directory.GetFiles(Path.Combine(Manifests.Folder, "secrets"), "*.yaml")
        .Where(f => Path.GetFileName(f) != "kustomization.yaml")
        .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f), strict: true))
        .Cast<V1Secret>()
        .ToDictionary(s => s.Metadata.Name);

    [Fact]
    public void SecretVolumes_OfTheGatewayAndTheSilos_HoldEveryFileTheirSettingsName()
    {
        var pods = FleetPods.All().Where(p => p.Workload is "gateway.yaml InferenceService/grainserve" or "silo.yaml Deployment/grainserve-silo").ToList();
        var checkedPaths = 0;

        Assert.Equal(2, pods.Count);
        foreach (var pod in pods)
        {
            var volumes = pod.Spec.Volumes.Where(v => v.Secret is not null).ToDictionary(v => v.Name, v => v.Secret.SecretName);
            var container = pod.Spec.Containers.Single();
            foreach (var mount in container.VolumeMounts.Where(m => volumes.ContainsKey(m.Name)))
            {
                Assert.True(Secrets.TryGetValue(volumes[mount.Name], out var secret), $"{pod}: no Secret {volumes[mount.Name]} in k8s/secrets");
                Assert.Null(mount.SubPath);
                foreach (var env in container.Env.Where(e => e.Value?.StartsWith(mount.MountPath + "/", StringComparison.Ordinal) == true))
                {
                    Assert.Contains(env.Value[(mount.MountPath.Length + 1)..], secret.StringData.Keys);
                    checkedPaths++;
                }
            }
        }

        // The keys file, the gateway's certificate and key, and the cluster's certificate and key on both.
        Assert.Equal(7, checkedPaths);
    }

    [Fact]
    public void KeysFile_IsAKeysFileOfHashesOnly()
    {
        using var file = JsonDocument.Parse(Secrets["grainserve-api-keys"].StringData["keys.json"]);
        var keys = file.RootElement.GetProperty("keys").EnumerateArray().ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Equal(["models", "name", "scopes", "sha256"], key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Matches("^[0-9a-f]{64}$", key.GetProperty("sha256").GetString());
            Assert.All(key.GetProperty("scopes").EnumerateArray(), s => Assert.Contains(s.GetString(), new[] { "infer", "repository", "metrics", "admin" }));
        });
        Assert.Equal("grainserve-api-keys", Assert.Single(Secrets.Values, s => s.StringData.ContainsKey("keys.json")).Metadata.Name);
        Assert.All(Secrets.Values.Where(s => s.Type == "kubernetes.io/tls"), s => Assert.Equal(["tls.crt", "tls.key"], s.StringData.Keys.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Gateway_WithTlsAndKeys_ProbesOverHttpsWithoutAKey()
    {
        var gateway = FleetPods.All().Single(p => p.Workload == "gateway.yaml InferenceService/grainserve").Spec.Containers.Single();

        Assert.Contains(gateway.Env, e => e.Name == "Auth__Enabled" && e.Value == "true");
        Assert.Contains(gateway.Env, e => e.Name == "Gateway__Tls__CertificatePath");
        Assert.All(new[] { gateway.StartupProbe, gateway.ReadinessProbe, gateway.LivenessProbe }, p =>
        {
            Assert.Equal("HTTPS", p.HttpGet.Scheme);
            Assert.StartsWith("/v2/health/", p.HttpGet.Path, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void PodMonitor_SendsAKeyFromTheSecrets()
    {
        var endpoint = Manifests.Items(Manifests.Documents("monitoring/podmonitor.yaml").Single(), "spec", "podMetricsEndpoints").Single();

        Assert.Equal("Bearer", Manifests.Scalar(endpoint, "authorization", "type"));
        var secret = Secrets[Manifests.Scalar(endpoint, "authorization", "credentials", "name")!];
        Assert.Contains(Manifests.Scalar(endpoint, "authorization", "credentials", "key")!, secret.StringData.Keys);
    }
}
