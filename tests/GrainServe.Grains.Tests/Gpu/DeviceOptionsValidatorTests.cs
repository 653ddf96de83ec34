namespace GrainServe.Gpu;

public sealed class DeviceOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new DeviceOptionsValidator().Validate(null, new DeviceOptions());

        Assert.True(result.Succeeded);
        Assert.Equal(EvictionPolicy.DefaultMinAge, new DeviceOptions().EvictionMinAge);
    }

    [Fact]
    public void Validate_NegativeEvictionMinAge_FailsWithTheFix()
    {
        var result = new DeviceOptionsValidator().Validate(null, new DeviceOptions { EvictionMinAge = TimeSpan.FromSeconds(-1) });

        Assert.True(result.Failed);
        Assert.Contains("Devices:EvictionMinAge", result.FailureMessage);
        Assert.Contains("set it to 0 or more", result.FailureMessage);
    }
}
