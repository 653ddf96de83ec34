namespace GrainServe.Models;

public sealed class ModelWarmupValidationTests
{
    private static List<string> Problems(string maxBatchSize, string sample) =>
        ModelConfigValidator.Validate("m", ModelConfigJson.Parse($$"""{ {{maxBatchSize}} "model_warmup": [{{sample}}] }"""));

    [Fact]
    public void Parse_TritonsJson_ReadsEveryField()
    {
        var config = ModelConfigJson.Parse("""
            { "model_warmup": [{ "name": "s", "batch_size": 4, "count": 2, "inputs": {
                "A": { "data_type": "TYPE_FP32", "dims": [2, "3"], "zero_data": true },
                "B": { "data_type": "TYPE_STRING", "dims": [1], "random_data": false },
                "C": { "data_type": "TYPE_INT64", "dims": [], "input_data_file": "c.bin" } } }] }
            """);

        var sample = Assert.Single(config.ModelWarmup);
        Assert.Equal(("s", 4, 2), (sample.Name, sample.BatchSize, sample.Count));
        Assert.Equal([2L, 3L], sample.Inputs["A"].Dims);
        Assert.True(sample.Inputs["A"].ZeroData);
        // A oneof member counts as set whatever its value, as Triton reads it.
        Assert.False(sample.Inputs["B"].RandomData);
        Assert.Equal("c.bin", sample.Inputs["C"].InputDataFile);
        Assert.Empty(ModelConfigValidator.Validate("m", config));
    }

    [Theory]
    [InlineData("", """{ "batch_size": 0, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [1], "zero_data": true } } }""", "model_warmup[0]: batch_size 0 must be 1 or more")]
    [InlineData("\"max_batch_size\": 0,", """{ "name": "s", "batch_size": 2, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [1], "zero_data": true } } }""", "batch_size 2 must be 1, since max_batch_size is 0")]
    [InlineData("\"max_batch_size\": 4,", """{ "name": "s", "batch_size": 5, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [1], "zero_data": true } } }""", "batch_size 5 is over max_batch_size 4")]
    [InlineData("", """{ "name": "s", "batch_size": 1, "count": -1, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [1], "zero_data": true } } }""", "count -1 must be 0 (once) or more")]
    [InlineData("", """{ "name": "s", "batch_size": 1 }""", "model_warmup 's': no inputs")]
    [InlineData("", """{ "name": "s", "batch_size": 1, "inputs": { "A": { "data_type": "FP32", "dims": [1], "zero_data": true } } }""", "input 'A': data_type 'FP32' is not a Triton datatype")]
    [InlineData("", """{ "name": "s", "batch_size": 1, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [-1], "zero_data": true } } }""", "dims [-1] must all be fixed")]
    [InlineData("", """{ "name": "s", "batch_size": 1, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [1] } } }""", "set exactly one of zero_data, random_data and input_data_file (it sets 0)")]
    [InlineData("", """{ "name": "s", "batch_size": 1, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [1], "zero_data": true, "random_data": true } } }""", "(it sets 2)")]
    [InlineData("", """{ "name": "s", "batch_size": 1, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [1], "input_data_file": "../config.json" } } }""", "must name a file in the model's warmup/ folder")]
    [InlineData("", """{ "name": "s", "batch_size": 1, "inputs": { "A": { "data_type": "TYPE_FP32", "dims": [1], "input_data_file": "/etc/passwd" } } }""", "must name a file in the model's warmup/ folder")]
    public void Validate_BadSample_SaysWhatToFix(string maxBatchSize, string sample, string expected)
    {
        var problems = Problems(maxBatchSize, sample);

        Assert.True(problems.Count == 1, $"expected one problem, got: {string.Join(" | ", problems)}");
        Assert.Contains(expected, problems[0], StringComparison.Ordinal);
    }
}
