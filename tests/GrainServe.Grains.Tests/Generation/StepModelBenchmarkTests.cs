using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace GrainServe.Generation;

/// <summary>Per-step time of each KV backend, reported on the test output (run with a detailed console logger).</summary>
public sealed class StepModelBenchmarkTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    [Trait("Category", "Benchmark")]
    public void Run_EightDecodesOverHundredTokensOfPast_ReportsStepTime(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Run_EightDecodesOverHundredTokensOfPast_ReportsStepTime)) is not { } folder)
        {
            return;
        }

        const int Batch = 8, Past = 100, Steps = 50;
        using var model = TinyGpt2.Load(folder, kvBinding);
        model.Run(Enumerable.Range(0, Batch).Select(s => new StepEntry(s, Enumerable.Range(0, Past).Select(i => (i * 13 + s) % 1000).ToArray(), 0, false)).ToList());
        var held = Past;
        StepLogits Step()
        {
            var step = model.Run(Enumerable.Range(0, Batch).Select(s => new StepEntry(s, new[] { (held + s) % 1000 }, held, true)).ToList());
            held++;
            return step;
        }

        for (var i = 0; i < 5; i++)
        {
            Step();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Steps; i++)
        {
            Assert.Equal(Batch, Step().Rows);
        }

        watch.Stop();
        var perStep = watch.Elapsed.TotalMilliseconds / Steps;

        // Includes the logits array each step returns and the caches' amortized doubling (128 to 256 tokens here).
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / Steps;
        output.WriteLine($"tiny-random-gpt2, kv_binding {kvBinding}, {Batch} decodes over {Past + 5}..{held - 1} tokens of past, 1 intra-op thread: {perStep:F3} ms per step, {bytes} bytes allocated per step");
        var (allocated, preallocated) = RawRunMilliseconds(folder, Batch, Past + 30, Steps);
        output.WriteLine($"the session alone over the same shapes (past {Past + 30}, inputs made once): {allocated:F3} ms per run, {preallocated:F3} ms with preallocated outputs");
    }

    private static (double Allocated, double Preallocated) RawRunMilliseconds(string folder, int batch, int past, int runs)
    {
        using var options = TinyGpt2.Options();
        using var session = new InferenceSession(Path.Combine(folder, "past.onnx"), options);
        using var runOptions = new RunOptions();
        var values = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = OrtValue.CreateTensorValueFromMemory(new int[batch], [batch, 1]),
            ["position_ids"] = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(past, batch).ToArray(), [batch, 1]),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1, batch * (past + 1)).ToArray(), [batch, past + 1]),
        };
        for (var layer = 0; layer < 5; layer++)
        {
            values[$"past_{layer}"] = OrtValue.CreateTensorValueFromMemory(new float[2 * batch * 4 * past * 8], [2, batch, 4, past, 8]);
        }

        string[] outputs = ["logits", "present_0", "present_1", "present_2", "present_3", "present_4"];
        session.Run(runOptions, values, outputs).Dispose();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++)
        {
            session.Run(runOptions, values, outputs).Dispose();
        }

        var elapsed = watch.Elapsed.TotalMilliseconds / runs;
        var names = values.Keys.ToArray();
        var inputs = names.Select(n => values[n]).ToArray();
        var bound = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(new float[batch * 1000], [batch, 1, 1000]) };
        for (var layer = 0; layer < 5; layer++)
        {
            bound.Add(OrtValue.CreateTensorValueFromMemory(new float[2 * batch * 4 * (past + 1) * 8], [2, batch, 4, past + 1, 8]));
        }

        watch.Restart();
        for (var i = 0; i < runs; i++)
        {
            session.Run(runOptions, names, inputs, outputs, bound);
        }

        var preallocated = watch.Elapsed.TotalMilliseconds / runs;
        foreach (var value in bound)
        {
            value.Dispose();
        }
        foreach (var value in values.Values)
        {
            value.Dispose();
        }

        return (elapsed, preallocated);
    }
}
