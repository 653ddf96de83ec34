namespace GrainServe.Generation;

internal static class LogitsAssert
{
    public const float Tolerance = 1e-4f;

    public static void Close(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(expected[i] - actual[i]);
            if (!(difference <= worst))
            {
                worst = difference;
                at = i;
            }
        }

        Assert.True(worst <= Tolerance, $"{what}: logit {at} differs by {worst} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)})");
    }
}
