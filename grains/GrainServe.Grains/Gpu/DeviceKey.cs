namespace GrainServe.Gpu;

/// <summary>Formats and parses GPU grain keys, <c>{siloName}/{deviceId}</c>.</summary>
public static class DeviceKey
{
    /// <summary>The key of device <paramref name="deviceId"/> on silo <paramref name="siloName"/>.</summary>
    public static string Format(string siloName, string deviceId) => $"{siloName}/{deviceId}";

    /// <summary>Splits a key at its last '/'; false when it has none.</summary>
    public static bool TryParse(string key, out string siloName, out string deviceId)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            siloName = deviceId = "";
            return false;
        }

        siloName = key[..slash];
        deviceId = key[(slash + 1)..];
        return true;
    }
}
