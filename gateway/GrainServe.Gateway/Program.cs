using GrainServe.Gateway.Hosting;

// The embedded default: one process that is the whole cluster (gateway and devices) serving the sample
// model repository on 127.0.0.1:8000. See README.md for configuration.
var app = GatewayHost.Build(args);
await app.RunAsync();
