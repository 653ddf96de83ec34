using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>
/// The monitoring of k8s/monitoring reads what the fleet really has: the PodMonitor selects pods the manifests label
/// and scrapes a port they declare, and every PromQL expression of the alerts and the dashboard names only metrics
/// GrainServe exports (<see cref="FleetMetrics"/>), so a typo fails here rather than as an empty graph.
/// </summary>
public sealed partial class MonitoringManifestTests
{
    private static readonly string Folder = Path.Combine(Manifests.Folder, "monitoring");

    [Fact]
    public void PodMonitor_SelectsTheGatewayAndSiloPods_OnAMetricsPortTheyDeclare()
    {
        var monitor = Manifests.Documents("monitoring/podmonitor.yaml").Single();
        var selector = KubernetesYaml.Deserialize<V1LabelSelector>(Manifests.ToYaml(Manifests.Get(monitor, "spec", "selector")!), strict: true);
        var endpoints = Manifests.Items(monitor, "spec", "podMetricsEndpoints");
        var selected = FleetPods.All().Where(p => Matches(selector, p.Labels)).ToList();

        Assert.Equal("monitoring.coreos.com/v1", Manifests.Scalar(monitor, "apiVersion"));
        Assert.Equal(
            ["gateway.yaml InferenceService/grainserve", "kserve/inferenceservice.yaml InferenceService/grainserve-onnx", "silo.yaml Deployment/grainserve-silo"],
            selected.Select(p => p.Workload).Order(StringComparer.Ordinal));
        Assert.NotEmpty(endpoints);
        foreach (var endpoint in endpoints)
        {
            Assert.Equal("/metrics", Manifests.Scalar(endpoint, "path"));
            var port = Manifests.Scalar(endpoint, "port");
            Assert.All(selected, p => Assert.True(
                p.Spec.Containers.Any(c => c.Ports.Any(cp => cp.Name == port && cp.ContainerPort == 8002)),
                $"{p} declares no port '{port}' on 8002"));
        }

        var silo = selected.Single(p => p.Workload.StartsWith("silo.yaml", StringComparison.Ordinal)).Spec.Containers.Single();
        Assert.Contains(silo.Env, e => e.Name == "Metrics__Port" && e.Value == "8002");
    }

    [Fact]
    public void Expressions_OfTheAlertsAndTheDashboard_NameOnlyMetricsTheFleetExports()
    {
        var expressions = RuleExpressions().Concat(DashboardExpressions()).ToList();
        var unknown = expressions.SelectMany(e => PromQl.MetricNames(e.Expr).Where(n => !FleetMetrics.IsKnown(n)).Select(n => $"{e.Where}: {n}")).ToList();

        Assert.True(expressions.Count > 20, $"only {expressions.Count} expressions found");
        Assert.True(unknown.Count == 0, $"unknown metrics: {string.Join("; ", unknown)}");
    }

    [Theory]
    [InlineData("sum by (model) (rate(nv_inference_request_sucess{model=~\"$model\", silo=~\"$silo\"}[$__rate_interval]))", "nv_inference_request_sucess")]
    [InlineData("histogram_quantile(0.95, sum by (model, le) (rate(nv_inference_first_response_histogram_ms_buckets[5m])))", "nv_inference_first_response_histogram_ms_buckets")]
    [InlineData("nv_gpu_memory_used_bytes / on (gpu_uuid) group_left nv_gpu_memory_totl_bytes > 0.95", "nv_gpu_memory_totl_bytes")]
    [InlineData("rate(vllm:generation_token_total[1m]) * 1e3", "vllm:generation_token_total")]
    public void Expressions_WithAMisspeltMetric_NameIt(string expression, string typo)
    {
        Assert.Equal([typo], PromQl.MetricNames(expression).Where(n => !FleetMetrics.IsKnown(n)));
    }

    [Fact]
    public void Dashboard_ParsesAndEveryPanelHasADatasourceAndATarget()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "grafana-dashboard.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        var variables = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToList();

        Assert.NotEmpty(panels);
        Assert.All(panels, p =>
        {
            var title = p.GetProperty("title").GetString();
            Assert.True(p.TryGetProperty("datasource", out var datasource) && datasource.ValueKind != JsonValueKind.Null, $"panel '{title}' has no datasource");
            var targets = p.TryGetProperty("targets", out var t) ? t.EnumerateArray().ToList() : [];
            Assert.True(targets.Count > 0, $"panel '{title}' has no target");
            Assert.All(targets, target => Assert.False(string.IsNullOrWhiteSpace(target.GetProperty("expr").GetString()), $"panel '{title}' has an empty target"));
        });
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.Contains("model", variables);
        Assert.Contains("silo", variables);
    }

    [Fact]
    public void Dashboard_ReadsEveryTritonAndGrainServeSeries()
    {
        var read = DashboardExpressions().SelectMany(e => PromQl.MetricNames(e.Expr)).ToHashSet();
        var missing = FleetMetrics.Series.Where(n => !n.StartsWith("vllm:", StringComparison.Ordinal) && !read.Contains(n)).ToList();

        Assert.True(missing.Count == 0, $"no panel reads {string.Join(", ", missing)}");
        Assert.Contains("nv_inference_first_response_histogram_ms_bucket", read);
    }

    [Fact]
    public void Dashboard_IsWrappedInAConfigMapForGrafanasSidecar()
    {
        var kustomization = Manifests.Parse(File.ReadAllText(Path.Combine(Folder, "kustomization.yaml"))).Single();
        var generator = Assert.Single(Manifests.Items(kustomization, "configMapGenerator"));

        Assert.Contains(Manifests.Items(generator, "files").OfType<YamlScalarNode>(), f => f.Value!.EndsWith("=grafana-dashboard.json", StringComparison.Ordinal));
        Assert.Equal("1", Manifests.Scalar(generator, "options", "labels", "grafana_dashboard"));
        // A stable name, so a re-apply updates the dashboard instead of leaving the old ConfigMap behind.
        Assert.Equal("true", Manifests.Scalar(generator, "options", "disableNameSuffixHash"));
    }

    [Fact]
    public void PrometheusRule_AlertsOnQueueTimeFailuresAndMemory()
    {
        var rule = Manifests.Documents("monitoring/prometheusrule.yaml").Single();
        var alerts = Manifests.Items(rule, "spec", "groups").SelectMany(g => Manifests.Items(g, "rules"))
            .ToDictionary(r => Manifests.Scalar(r, "alert")!, r => r);

        Assert.Equal("monitoring.coreos.com/v1", Manifests.Scalar(rule, "apiVersion"));
        Assert.Equal(["GrainServeDeviceMemoryNearBudget", "GrainServeGpuMemoryNearFull", "GrainServeInferenceFailureRate", "GrainServeQueueTimeHigh"], alerts.Keys.Order(StringComparer.Ordinal));
        Assert.All(alerts.Values, r =>
        {
            Assert.Equal("5m", Manifests.Scalar(r, "for"));
            Assert.NotNull(Manifests.Scalar(r, "labels", "severity"));
            Assert.NotNull(Manifests.Scalar(r, "annotations", "summary"));
        });
        Assert.Equal(["nv_inference_queue_duration_us", "nv_inference_request_success"], Metrics(alerts["GrainServeQueueTimeHigh"]));
        Assert.EndsWith("/ 1000 > 100", Expr(alerts["GrainServeQueueTimeHigh"]));
        Assert.Equal(["nv_inference_request_failure", "nv_inference_request_success"], Metrics(alerts["GrainServeInferenceFailureRate"]));
        Assert.EndsWith("> 0.05", Expr(alerts["GrainServeInferenceFailureRate"]));
        Assert.Equal("grainserve_device_memory_used_bytes / grainserve_device_memory_budget_bytes > 0.95", Expr(alerts["GrainServeDeviceMemoryNearBudget"]));
        Assert.Equal("nv_gpu_memory_used_bytes / nv_gpu_memory_total_bytes > 0.95", Expr(alerts["GrainServeGpuMemoryNearFull"]));
    }

    private static IEnumerable<(string Where, string Expr)> RuleExpressions() =>
        Manifests.Items(Manifests.Documents("monitoring/prometheusrule.yaml").Single(), "spec", "groups")
            .SelectMany(g => Manifests.Items(g, "rules"))
            .Select(r => ($"alert {Manifests.Scalar(r, "alert")}", Manifests.Scalar(r, "expr")!));

    private static IEnumerable<(string Where, string Expr)> DashboardExpressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "grafana-dashboard.json")));
        var list = new List<(string, string)>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                list.Add(($"panel '{panel.GetProperty("title").GetString()}' {target.GetProperty("refId").GetString()}", target.GetProperty("expr").GetString()!));
            }
        }

        foreach (var variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            // Grafana's label_values(selector, label) is not PromQL; its optional selector is.
            if (variable.TryGetProperty("query", out var query) && query.ValueKind == JsonValueKind.Object
                && LabelValues().Match(query.GetProperty("query").GetString()!) is { Success: true } match)
            {
                list.Add(($"variable {variable.GetProperty("name").GetString()}", match.Groups["selector"].Value));
            }
        }

        return list;
    }

    private static string Expr(YamlNode rule) => Regex.Replace(Manifests.Scalar(rule, "expr")!.Trim(), @"\s+", " ");

    private static IEnumerable<string> Metrics(YamlNode rule) => PromQl.MetricNames(Expr(rule)).Order(StringComparer.Ordinal);

    private static bool Matches(V1LabelSelector selector, IReadOnlyDictionary<string, string> labels) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(l => labels.GetValueOrDefault(l.Key) == l.Value)
        && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
        {
            "In" => labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v),
            "NotIn" => !labels.TryGetValue(e.Key, out var v) || !e.Values.Contains(v),
            "Exists" => labels.ContainsKey(e.Key),
            "DoesNotExist" => !labels.ContainsKey(e.Key),
            _ => throw new InvalidDataException($"unknown selector operator {e.OperatorProperty}"),
        });

    [GeneratedRegex(@"^label_values\((?:(?<selector>.*),)?\s*\w+\s*\)$")]
    private static partial Regex LabelValues();
}
