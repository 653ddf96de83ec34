namespace GrainServe.Gateway.DataPlane;

/// <summary>Whether this process has finished starting: its devices are active and its start-up model loads are done.</summary>
public interface IStartupGate
{
    /// <summary>True once start-up is over; a gateway-only process is complete at once.</summary>
    bool IsComplete { get; }
}
