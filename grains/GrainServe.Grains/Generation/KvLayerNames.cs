namespace GrainServe.Generation;

/// <summary>The graph names of one layer's KV cache.</summary>
/// <param name="PastKey">The past key input, or the stacked past input under <see cref="KvNaming.Stacked"/>.</param>
/// <param name="PastValue">The past value input; null under <see cref="KvNaming.Stacked"/>.</param>
/// <param name="PresentKey">The present key output, or the stacked present output under <see cref="KvNaming.Stacked"/>.</param>
/// <param name="PresentValue">The present value output; null under <see cref="KvNaming.Stacked"/>.</param>
public sealed record KvLayerNames(string PastKey, string? PastValue, string PresentKey, string? PresentValue);
