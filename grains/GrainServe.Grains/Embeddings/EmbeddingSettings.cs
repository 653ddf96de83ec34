using System.Globalization;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.Embeddings;

/// <summary>
/// The <c>parameters</c> of a sentence embedding model's config.json (Triton's <c>string_value</c> map):
/// tokenizer vocabulary, sequence length, pooling, normalization, truncation and length bucketing.
/// </summary>
public sealed record EmbeddingSettings
{
    /// <summary>The <c>model_kind</c> value that makes a model a sentence embedding pipeline.</summary>
    public const string ModelKind = ModelKinds.SentenceEmbedding;

    /// <summary>The WordPiece vocabulary file, relative to the version folder. Parameter <c>vocab_file</c>, default <c>vocab.txt</c>.</summary>
    public string VocabFile { get; init; } = "vocab.txt";

    /// <summary>Lower-case text before tokenizing, as uncased BERT models need. Parameter <c>lower_case</c>, default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>The most tokens per text, [CLS] and [SEP] included. Parameter <c>max_sequence_length</c>, default 512.</summary>
    public int MaxSequenceLength { get; init; } = 512;

    /// <summary><c>cls</c> (the first token's state, as BGE uses) or <c>mean</c> (over the attention mask). Parameter <c>pooling</c>, default <c>cls</c>.</summary>
    public string Pooling { get; init; } = "cls";

    /// <summary>Scale each embedding to unit L2 norm. Parameter <c>normalize</c>, default true.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Cut over-long text to <see cref="MaxSequenceLength"/> tokens (true) or reject it with 400 (false). Parameter <c>truncate</c>, default true.</summary>
    public bool Truncate { get; init; } = true;

    /// <summary>
    /// Within a batch, texts run in groups of similar length, a group cut where padding would pass this fraction
    /// of its tokens (see <see cref="LengthBuckets"/>); 1 runs the batch as one, padded to its longest text.
    /// Parameter <c>max_padding_fraction</c>, default 0.25.
    /// </summary>
    public double MaxPaddingFraction { get; init; } = 0.25;

    /// <summary>True when the config's <c>model_kind</c> parameter names this pipeline.</summary>
    public static bool IsEmbeddingModel(ModelConfig config) => ModelKinds.Of(config) == ModelKind;

    /// <summary>Reads the settings; throws <see cref="ModelLoadException"/> listing every bad value.</summary>
    public static EmbeddingSettings FromConfig(string modelName, ModelConfig config)
    {
        var parameters = config.Parameters ?? [];
        var problems = new List<string>();
        string? Text(string key) => parameters.TryGetValue(key, out var value) ? value.StringValue : null;
        bool Flag(string key, bool fallback)
        {
            var text = Text(key);
            if (text is null)
            {
                return fallback;
            }

            if (bool.TryParse(text, out var flag))
            {
                return flag;
            }

            problems.Add($"parameter {key} is '{text}'; use true or false");
            return fallback;
        }

        var settings = new EmbeddingSettings
        {
            VocabFile = Text("vocab_file") ?? "vocab.txt",
            LowerCase = Flag("lower_case", true),
            Normalize = Flag("normalize", true),
            Truncate = Flag("truncate", true),
            Pooling = Text("pooling") ?? "cls",
        };
        if (Text("max_sequence_length") is { } length)
        {
            if (int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max >= 2)
            {
                settings = settings with { MaxSequenceLength = max };
            }
            else
            {
                problems.Add($"parameter max_sequence_length is '{length}'; use a whole number of at least 2");
            }
        }

        if (Text("max_padding_fraction") is { } padding)
        {
            if (double.TryParse(padding, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var fraction) && fraction <= 1)
            {
                settings = settings with { MaxPaddingFraction = fraction };
            }
            else
            {
                problems.Add($"parameter max_padding_fraction is '{padding}'; use a number from 0 to 1");
            }
        }

        if (settings.Pooling is not ("cls" or "mean"))
        {
            problems.Add($"parameter pooling is '{settings.Pooling}'; use cls or mean");
        }

        if (problems.Count > 0)
        {
            throw new ModelLoadException($"model '{modelName}': {string.Join("; ", problems)}");
        }

        return settings;
    }
}
