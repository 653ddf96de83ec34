namespace GrainServe.Models;

/// <summary>
/// The bytes a model version's files take, as a CPU device is charged them: the model file and the external data
/// exporters write beside it, each counted by what it points at, so that a repository of symbolic links (a Hugging Face
/// cache, a Kubernetes volume mount) is charged its weights and not its links.
/// </summary>
internal static class ModelFiles
{
    // ONNX's own default for external data (onnx.save writes model.onnx.data) and Optimum's (model.onnx_data). Weights an
    // exporter split under other names are not found, and not charged.
    private static readonly string[] ExternalDataSuffixes = [".data", "_data"];

    /// <summary>The bytes of <paramref name="modelPath"/> and its external data, links resolved.</summary>
    public static long ChargedBytes(string modelPath)
    {
        var bytes = ResolvedLength(modelPath);
        foreach (var suffix in ExternalDataSuffixes)
        {
            var data = modelPath + suffix;
            if (File.Exists(data))
            {
                bytes += ResolvedLength(data);
            }
        }

        return bytes;
    }

    /// <summary>
    /// The length of the file <paramref name="path"/> names, following symbolic links to the last; throws
    /// <see cref="FileNotFoundException"/> for a link whose target is gone.
    /// </summary>
    public static long ResolvedLength(string path)
    {
        // FileInfo.Length of a link is the link's own size (the length of the path it holds), not its target's.
        var file = new FileInfo(path);
        if (file.LinkTarget is null)
        {
            return file.Length;
        }

        var target = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        return target is { Exists: true }
            ? target.Length
            : throw new FileNotFoundException($"'{path}' is a symbolic link to '{file.LinkTarget}', which does not exist", path);
    }
}
