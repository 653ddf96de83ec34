namespace GrainServe.Runtime;

/// <summary>
/// ONNX Runtime session settings applied to every model instance of a silo.
/// </summary>
public sealed class RuntimeOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Runtime";

    /// <summary>
    /// Threads one session uses inside an operator. 0 lets ONNX Runtime pick (one per physical core).
    /// Several instances on one CPU multiply this, so small machines want 1 or 2. Default 0.
    /// </summary>
    public int IntraOpNumThreads { get; set; }

    /// <summary>
    /// Threads one session uses to run independent operators in parallel; 0 lets ONNX Runtime pick.
    /// Ignored unless <see cref="ParallelExecution"/> is true. Default 0.
    /// </summary>
    public int InterOpNumThreads { get; set; }

    /// <summary>Runs independent graph branches in parallel. Default false (sequential), best for small models.</summary>
    public bool ParallelExecution { get; set; }
}
