using GrainServe.Generation;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Keeps the alignment heads' cross-attention weights of one alignment sequence as the engine's steps deliver them:
/// per head, <c>[tokens, positions]</c>, each row stored at its token's position, so a prefill cut into chunks, or
/// run again after a preemption, fills the same rows.
/// </summary>
internal sealed class CrossAttentionCollector(AlignmentHeads heads, string[] layerOutputs, int tokens) : IStepOutputSink
{
    private readonly float[]?[] _heads = new float[heads.Heads.Count][];
    private readonly bool[] _filled = new bool[tokens];

    /// <summary>Encoder positions per row, once a step delivered any.</summary>
    public int Positions { get; private set; }

    /// <summary>Whether every token of the sequence has its row.</summary>
    public bool Complete => _filled.All(f => f);

    /// <summary>Per alignment head, <c>[tokens, positions]</c> row-major.</summary>
    public IReadOnlyList<float[]> Heads => _heads.Select(h => h ?? []).ToArray();

    public void Receive(int start, int count, IReadOnlyList<StepOutput> outputs)
    {
        for (var i = 0; i < heads.Heads.Count; i++)
        {
            var (layer, head) = heads.Heads[i];
            var output = outputs.FirstOrDefault(o => o.Name == layerOutputs[layer]);
            if (output is null || output.Shape.Length != 3 || head >= output.Shape[0])
            {
                throw new InvalidOperationException($"the decoder delivered no cross-attention weights for layer {layer}, head {head}");
            }

            var positions = output.Shape[2];
            Positions = positions;
            var rows = _heads[i] ??= new float[tokens * positions];
            for (var t = 0; t < count && start + t < tokens; t++)
            {
                output.Data.AsSpan(((head * count) + t) * positions, positions).CopyTo(rows.AsSpan((start + t) * positions));
            }
        }

        for (var t = start; t < start + count && t < tokens; t++)
        {
            _filled[t] = true;
        }
    }
}
