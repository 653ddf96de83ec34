using Microsoft.Extensions.Options;

namespace GrainServe.Gateway.Auth;

/// <summary>Checks <see cref="AuthOptions"/> at start and says how to fix each problem; nothing is checked while auth is off.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = ApiKeyRules.Check(options.Keys.Select((k, i) => (k, $"{AuthOptions.SectionName}:{nameof(AuthOptions.Keys)}:{i}")));
        if (options.KeysFile is null && options.Keys.Count == 0)
        {
            failures.Add($"{AuthOptions.SectionName}:{nameof(AuthOptions.Enabled)} is true but there are no keys: set {AuthOptions.SectionName}:{nameof(AuthOptions.KeysFile)} to a keys file, or give {AuthOptions.SectionName}:{nameof(AuthOptions.Keys)}:0:Name, :Sha256, :Scopes:0 and :Models:0.");
        }

        if (options.KeysFile is { } file && !File.Exists(file))
        {
            failures.Add($"{AuthOptions.SectionName}:{nameof(AuthOptions.KeysFile)} '{file}' does not exist; point it at a keys file ({{\"keys\": [...]}}, see README), such as a mounted Secret.");
        }

        if (options.ReloadInterval <= TimeSpan.Zero)
        {
            failures.Add($"{AuthOptions.SectionName}:{nameof(AuthOptions.ReloadInterval)} is {options.ReloadInterval}; set a positive interval, for example 00:00:02.");
        }

        if (options.SessionLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{AuthOptions.SectionName}:{nameof(AuthOptions.SessionLifetime)} is {options.SessionLifetime}; set a positive duration, for example 08:00:00.");
        }

        if (options.QuotaLeaseFraction is not (> 0 and <= 1))
        {
            failures.Add($"{AuthOptions.SectionName}:{nameof(AuthOptions.QuotaLeaseFraction)} is {options.QuotaLeaseFraction}; set a share of the bucket in (0, 1], for example 0.1.");
        }

        if (options.QuotaLeaseLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{AuthOptions.SectionName}:{nameof(AuthOptions.QuotaLeaseLifetime)} is {options.QuotaLeaseLifetime}; set a positive duration, for example 00:00:01.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
