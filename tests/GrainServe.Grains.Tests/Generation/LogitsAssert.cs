namespace GrainServe.Generation;

internal static class LogitsAssert
{
    public const float Tolerance = 1e-4f;

    /// <summary>How closely the two KV backends must agree on the same step.</summary>
    public const float BackendTolerance = 1e-5f;

    public static void Close(float[] expected, ReadOnlySpan<float> actual, string what) => Close(expected, actual, what, Tolerance);

    public static void Close(float[] expected, ReadOnlySpan<float> actual, string what, float tolerance)
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

        Assert.True(worst <= tolerance, $"{what}: logit {at} differs by {worst} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)})");
    }

    /// <summary>Runs each step on both models and checks every logits row agrees within <see cref="BackendTolerance"/>.</summary>
    public static void Agree(OnnxDecoderStepModel expected, OnnxDecoderStepModel actual, params StepEntry[][] steps)
    {
        for (var i = 0; i < steps.Length; i++)
        {
            var want = expected.Run(steps[i]);
            var got = actual.Run(steps[i]);
            Assert.Equal(want.Rows, got.Rows);
            for (var row = 0; row < want.Rows; row++)
            {
                Close(want.Row(row).ToArray(), got.Row(row), $"step {i}, row {row}", BackendTolerance);
            }
        }
    }
}
