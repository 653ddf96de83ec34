using GrainServe.TestSupport;

namespace GrainServe.Speech.Audio;

public sealed class MelFilterbankTests
{
    [Theory]
    [InlineData(80)]
    [InlineData(128)]
    public void Create_MatchesWhispersMelFiltersNpz(int melBins)
    {
        if (SharedData.Folder("whisper", nameof(Create_MatchesWhispersMelFiltersNpz)) is not { } folder)
        {
            return;
        }

        var (expected, shape) = Npy.ReadFloat32(Path.Combine(folder, "mel_filters.npz"), $"mel_{melBins}");
        var filters = MelFilterbank.Create(melBins);

        Assert.Equal([melBins, MelFilterbank.FrequencyBins], shape);
        Assert.Equal(melBins, filters.MelBins);
        var peak = expected.Max();
        for (var i = 0; i < expected.Length; i++)
        {
            // Relative to each weight, and to the largest one for the weights that are (nearly) zero.
            var tolerance = 1e-6 * Math.Max(Math.Abs(expected[i]), peak * 1e-3);
            Assert.True(Math.Abs(filters.Weights[i] - expected[i]) <= tolerance,
                $"mel_{melBins}[{i / MelFilterbank.FrequencyBins}, {i % MelFilterbank.FrequencyBins}]: {filters.Weights[i]} != {expected[i]}");
        }
    }

    [Fact]
    public void Create_EachFilterIsATriangleOfUnitAreaInHz()
    {
        var filters = MelFilterbank.Create(80);

        for (var m = 0; m < filters.MelBins; m++)
        {
            var row = filters.Weights.Slice(m * MelFilterbank.FrequencyBins, MelFilterbank.FrequencyBins).ToArray();
            var peak = Array.IndexOf(row, row.Max());
            Assert.True(row.Take(peak).Zip(row.Skip(1).Take(peak), (a, b) => a <= b).All(x => x), $"filter {m} does not rise to its peak");
            Assert.True(row.Skip(peak).Zip(row.Skip(peak + 1), (a, b) => a >= b).All(x => x), $"filter {m} does not fall after its peak");
        }
    }

    [Fact]
    public void For_SameSize_IsShared()
    {
        Assert.Same(MelFilterbank.For(80), MelFilterbank.For(80));
        Assert.Equal(128, MelFilterbank.For(128).MelBins);
    }

    [Fact]
    public void Constructor_WrongWeightCount_SaysTheExpectedCount()
    {
        var error = Assert.Throws<ArgumentException>(() => new MelFilterbank(new float[100], 80));

        Assert.Contains("16080 weights, not 100", error.Message);
    }
}
