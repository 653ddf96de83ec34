using System.Runtime.InteropServices;
using System.Text;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace GrainServe.Embeddings;

/// <summary>
/// A sentence embedding pipeline over a BERT encoder: tokenize each text (WordPiece), group the batch's texts by
/// length (<see cref="LengthBuckets"/>), pad each group to its longest text and run the encoder on it, pool (CLS or
/// mean over the attention mask), L2-normalize. Input
/// <c>TEXT</c> (BYTES, one UTF-8 text per row); outputs <c>EMBEDDING</c> (FP32 [n, hidden]) and
/// <c>TOKEN_COUNT</c> (INT64 [n, 1], the tokens each text used after truncation).
/// </summary>
public sealed class SentenceEmbeddingRunner : IModelRunner, IRequestValidator
{
    /// <summary>The input's default name.</summary>
    public const string TextInput = "TEXT";

    /// <summary>The embedding output's default name.</summary>
    public const string EmbeddingOutput = "EMBEDDING";

    /// <summary>The token count output's default name.</summary>
    public const string TokenCountOutput = "TOKEN_COUNT";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _modelName;
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly EmbeddingSettings _settings;
    private readonly int _hidden;
    private readonly bool _hasTokenTypes;
    private readonly string _stateOutput;
    private readonly RunOptions _runOptions = new();

    /// <summary>Wraps an encoder session; <paramref name="versionDirectory"/> holds the vocabulary.</summary>
    public SentenceEmbeddingRunner(string modelName, ModelConfig written, InferenceSession session, string versionDirectory)
    {
        _modelName = modelName;
        _session = session;
        _settings = EmbeddingSettings.FromConfig(modelName, written);
        var inputs = session.InputMetadata;
        if (!inputs.ContainsKey("input_ids") || !inputs.ContainsKey("attention_mask"))
        {
            throw new ModelLoadException($"model '{modelName}': a sentence embedding model needs ONNX inputs input_ids and attention_mask; it has {string.Join(", ", inputs.Keys)}");
        }

        _hasTokenTypes = inputs.ContainsKey("token_type_ids");
        var state = session.OutputMetadata.FirstOrDefault(o => o.Value.Dimensions.Length == 3);
        if (state.Value is null || state.Value.Dimensions[2] <= 0)
        {
            throw new ModelLoadException($"model '{modelName}': a sentence embedding model needs an output [batch, sequence, hidden] (last_hidden_state)");
        }

        _stateOutput = state.Key;
        _hidden = state.Value.Dimensions[2];
        var vocab = Path.Combine(versionDirectory, _settings.VocabFile);
        if (!File.Exists(vocab))
        {
            throw new ModelLoadException($"model '{modelName}': the vocabulary {_settings.VocabFile} is not in {versionDirectory}");
        }

        _tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = _settings.LowerCase });
        Config = Complete(modelName, written, _hidden);
    }

    /// <inheritdoc />
    public ModelConfig Config { get; }

    /// <inheritdoc />
    public InferenceError? Validate(InferenceRequest request)
    {
        var input = request.Inputs[0];
        var index = 0;
        foreach (var text in Elements(input.Data))
        {
            string decoded;
            try
            {
                decoded = StrictUtf8.GetString(text);
            }
            catch (DecoderFallbackException)
            {
                return new InferenceError(InferenceErrorCode.InvalidInput, $"text {index} of input '{input.Name}' is not valid UTF-8");
            }

            if (!_settings.Truncate && Tokenize(decoded).Count > _settings.MaxSequenceLength)
            {
                return new InferenceError(InferenceErrorCode.InvalidInput, $"text {index} of input '{input.Name}' has {Tokenize(decoded).Count} tokens; model '{_modelName}' takes at most {_settings.MaxSequenceLength} and does not truncate");
            }

            index++;
        }

        return null;
    }

    /// <inheritdoc />
    public Task<InferTensor[]> RunAsync(InferTensor[] inputs, string[] outputNames, CancellationToken cancellationToken)
    {
        var rows = (int)inputs[0].Shape[0];
        var tokens = Elements(inputs[0].Data).Select(t => Truncated(Tokenize(Encoding.UTF8.GetString(t)))).ToList();
        var embeddings = new float[rows * _hidden];
        foreach (var run in LengthBuckets.Plan(tokens.Select(t => t.Count).ToList(), _settings.MaxPaddingFraction))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Encode(run.Select(r => tokens[r]).ToList(), run.Select(r => embeddings.AsMemory(r * _hidden, _hidden)).ToList());
        }

        var counts = tokens.Select(t => (long)t.Count).ToArray();
        var outputs = outputNames.Select(name => name == Config.Output[0].Name
            ? new InferTensor(name, InferDatatype.Fp32, [rows, _hidden], MemoryMarshal.AsBytes(embeddings.AsSpan()).ToArray())
            : new InferTensor(name, InferDatatype.Int64, [rows, 1], MemoryMarshal.AsBytes(counts.AsSpan()).ToArray())).ToArray();
        return Task.FromResult(outputs);
    }

    // Runs the encoder once over texts of similar length and writes each text's pooled embedding into its slot.
    private void Encode(List<IReadOnlyList<int>> tokens, List<Memory<float>> embeddings)
    {
        var rows = tokens.Count;
        var length = tokens.Max(t => t.Count);

        // Padding to the run's longest text: the attention mask keeps the padding out of every text's result.
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        for (var r = 0; r < rows; r++)
        {
            for (var t = 0; t < tokens[r].Count; t++)
            {
                ids[(r * length) + t] = tokens[r][t];
                mask[(r * length) + t] = 1;
            }
        }

        long[] shape = [rows, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[rows * length], shape);
        var names = _hasTokenTypes ? new[] { "input_ids", "attention_mask", "token_type_ids" } : ["input_ids", "attention_mask"];
        var values = _hasTokenTypes ? new[] { idsValue, maskValue, typesValue } : [idsValue, maskValue];
        using var results = _session.Run(_runOptions, names, values, [_stateOutput]);
        var states = results[0].GetTensorDataAsSpan<float>();
        for (var r = 0; r < rows; r++)
        {
            Pool(states.Slice(r * length * _hidden, length * _hidden), tokens[r].Count, embeddings[r].Span);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private void Pool(ReadOnlySpan<float> states, int tokenCount, Span<float> embedding)
    {
        if (_settings.Pooling == "cls")
        {
            states[.._hidden].CopyTo(embedding);
        }
        else
        {
            for (var t = 0; t < tokenCount; t++)
            {
                var state = states.Slice(t * _hidden, _hidden);
                for (var h = 0; h < _hidden; h++)
                {
                    embedding[h] += state[h];
                }
            }

            for (var h = 0; h < _hidden; h++)
            {
                embedding[h] /= tokenCount;
            }
        }

        if (_settings.Normalize)
        {
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(embedding));
            if (norm > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(embedding, norm, embedding);
            }
        }
    }

    private IReadOnlyList<int> Tokenize(string text) => _tokenizer.EncodeToIds(text, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true);

    // Keeps [CLS], the first tokens that fit and [SEP], as the reference tokenizers truncate.
    private IReadOnlyList<int> Truncated(IReadOnlyList<int> tokens) =>
        tokens.Count <= _settings.MaxSequenceLength ? tokens : [.. tokens.Take(_settings.MaxSequenceLength - 1), tokens[^1]];

    private static IEnumerable<byte[]> Elements(byte[] data) => BytesElements.Unpack(data).Select(e => e.ToArray());

    private static ModelConfig Complete(string modelName, ModelConfig written, int hidden)
    {
        var config = ModelConfigJson.Clone(written);
        config.Name = modelName;
        config.Platform ??= ModelConfigValidator.OnnxPlatform;
        config.MaxBatchSize ??= 64;
        if (config.MaxBatchSize < 1)
        {
            throw new ModelLoadException($"model '{modelName}': a sentence embedding model batches texts; set max_batch_size to 1 or more");
        }

        if (config.Input.Count == 0)
        {
            config.Input.Add(new ModelTensorConfig { Name = TextInput, DataType = "TYPE_STRING", Dims = [1] });
        }

        if (config.Output.Count == 0)
        {
            config.Output.Add(new ModelTensorConfig { Name = EmbeddingOutput, DataType = "TYPE_FP32", Dims = [hidden] });
            config.Output.Add(new ModelTensorConfig { Name = TokenCountOutput, DataType = "TYPE_INT64", Dims = [1] });
        }

        var input = config.Input;
        var output = config.Output;
        if (input.Count != 1 || input[0].DataType != "TYPE_STRING" || input[0].Dims is not [1])
        {
            throw new ModelLoadException($"model '{modelName}': a sentence embedding model has one input of data_type TYPE_STRING and dims [1]");
        }

        if (output.Count is < 1 or > 2 || output[0].DataType != "TYPE_FP32" || output[0].Dims is not [var dim] || dim != hidden
            || (output.Count == 2 && (output[1].DataType != "TYPE_INT64" || output[1].Dims is not [1])))
        {
            throw new ModelLoadException($"model '{modelName}': a sentence embedding model's outputs are TYPE_FP32 dims [{hidden}] (the encoder's hidden size) and optionally TYPE_INT64 dims [1] for token counts");
        }

        if (config.InstanceGroup.Count == 0)
        {
            config.InstanceGroup.Add(new InstanceGroupConfig { Count = 1, Kind = "KIND_AUTO" });
        }

        return config;
    }
}
