using GrainServe.Gateway.DataPlane;
using GrainServe.Hosting;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// Start-up is complete when the local device activator (if this process hosts devices) has done its first load
/// pass; it is over again once the silo starts draining, so readiness turns false before the devices stop.
/// </summary>
internal sealed class SiloStartupGate : IStartupGate
{
    private readonly DeviceActivator? _activator;

    public SiloStartupGate(IServiceProvider services)
    {
        _activator = services.GetService<DeviceActivator>();
    }

    public bool IsComplete => _activator is null || (_activator.StartupLoad.IsCompleted && !_activator.Draining);
}
