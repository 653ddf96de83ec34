using System.Text.Json;
using GrainServe.Models;

namespace GrainServe.Gateway.Rest;

/// <summary>Writes the JSON bodies of Triton's repository and statistics extensions, with Triton's field names.</summary>
internal static class ExtensionJson
{
    public static void WriteIndex(Utf8JsonWriter writer, IReadOnlyList<RepositoryIndexEntry> entries)
    {
        writer.WriteStartArray();
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("name", entry.Name);
            if (entry.Version.Length > 0)
            {
                writer.WriteString("version", entry.Version);
            }

            if (entry.State.Length > 0)
            {
                writer.WriteString("state", entry.State);
            }

            if (entry.Reason.Length > 0)
            {
                writer.WriteString("reason", entry.Reason);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static void WriteStatistics(Utf8JsonWriter writer, IReadOnlyList<ModelStatistics> statistics)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("model_stats");
        foreach (var model in statistics)
        {
            writer.WriteStartObject();
            writer.WriteString("name", model.Name);
            writer.WriteString("version", model.Version);
            writer.WriteNumber("last_inference", model.LastInference);
            writer.WriteNumber("inference_count", model.InferenceCount);
            writer.WriteNumber("execution_count", model.ExecutionCount);
            writer.WriteStartObject("inference_stats");
            WriteDuration(writer, "success", model.Success);
            WriteDuration(writer, "fail", model.Fail);
            WriteDuration(writer, "queue", model.Queue);
            WriteDuration(writer, "compute_input", model.ComputeInput);
            WriteDuration(writer, "compute_infer", model.ComputeInfer);
            WriteDuration(writer, "compute_output", model.ComputeOutput);
            WriteDuration(writer, "cache_hit", StatisticDuration.Zero);
            WriteDuration(writer, "cache_miss", StatisticDuration.Zero);
            writer.WriteEndObject();
            writer.WriteStartArray("batch_stats");
            foreach (var batch in model.BatchStats)
            {
                writer.WriteStartObject();
                writer.WriteNumber("batch_size", batch.BatchSize);
                WriteDuration(writer, "compute_input", batch.ComputeInput);
                WriteDuration(writer, "compute_infer", batch.ComputeInfer);
                WriteDuration(writer, "compute_output", batch.ComputeOutput);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteDuration(Utf8JsonWriter writer, string name, StatisticDuration duration)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("count", duration.Count);
        writer.WriteNumber("ns", duration.Ns);
        writer.WriteEndObject();
    }
}
