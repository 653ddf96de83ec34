namespace GrainServe.Runtime;

/// <summary>
/// A model version could not be loaded because of the model itself (its file or configuration), so no other
/// device would do better. The message says what is wrong.
/// </summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelLoadException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
