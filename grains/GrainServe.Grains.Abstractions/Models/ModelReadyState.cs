namespace GrainServe.Models;

/// <summary>
/// The lifecycle state of a model version, in Triton's vocabulary.
/// </summary>
public enum ModelReadyState
{
    /// <summary>Not known yet: the model grain has not tried to load it.</summary>
    Unknown,

    /// <summary>At least one instance is loaded and accepts requests.</summary>
    Ready,

    /// <summary>It cannot serve: its configuration or file is broken, or no device has room. The reason says which.</summary>
    Unavailable,

    /// <summary>A load is in progress.</summary>
    Loading,

    /// <summary>An unload is in progress.</summary>
    Unloading,
}
