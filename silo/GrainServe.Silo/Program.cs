// A GPU node: an Orleans silo that hosts this machine's devices and no HTTP endpoints. It joins the cluster
// named in the "Cluster" section; see README.md ("Several processes") for running one beside the gateway.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseGrainServeCluster(builder.Configuration));
await builder.Build().RunAsync();
