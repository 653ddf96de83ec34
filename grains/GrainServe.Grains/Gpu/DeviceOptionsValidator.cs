using Microsoft.Extensions.Options;

namespace GrainServe.Gpu;

/// <summary>Checks <see cref="DeviceOptions"/> at start and says how to fix each problem.</summary>
public sealed class DeviceOptionsValidator : IValidateOptions<DeviceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeviceOptions options)
    {
        var failures = new List<string>();
        if (options.CpuDevices < 0)
        {
            failures.Add($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.CpuDevices)} is {options.CpuDevices}; set it to 0 or more.");
        }

        if (options.CpuMemoryBudgetBytes <= 0)
        {
            failures.Add($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.CpuMemoryBudgetBytes)} is {options.CpuMemoryBudgetBytes}; set it to the bytes models may use, for example 4294967296.");
        }

        if (options.GpuMemoryReserveBytes < 0)
        {
            failures.Add($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.GpuMemoryReserveBytes)} must not be negative.");
        }

        if (options.EvictionMinAge < TimeSpan.Zero)
        {
            failures.Add($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.EvictionMinAge)} is {options.EvictionMinAge}; set it to 0 or more, for example 00:00:10.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
