// odata-check: reads every kind of answer the service gives with Microsoft's OData reader (see README.md).
// Usage: odata-check <base-url> [--openapi docs/openapi.json] [--graph-csdl test/fixtures/graph-beta/appproxy.csdl.xml]
// with TOKEN (a token that may write) and READ_TOKEN (one that may only read) in the environment.
using OdataCheck;

var positional = new List<string>();
var named = new Dictionary<string, string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i].StartsWith("--") && i + 1 < args.Length) named[args[i][2..]] = args[++i];
    else positional.Add(args[i]);
}
var token = Environment.GetEnvironmentVariable("TOKEN");
var readToken = Environment.GetEnvironmentVariable("READ_TOKEN");
if (positional.Count != 1 || string.IsNullOrEmpty(token) || string.IsNullOrEmpty(readToken))
{
    Console.Error.WriteLine("usage: TOKEN=<read-write token> READ_TOKEN=<read-only token> odata-check <base-url> [--openapi <file>] [--graph-csdl <file>]");
    return 2;
}
var report = new Report();
var started = DateTime.UtcNow;
var baseUrl = positional[0].TrimEnd('/');
var routes = await OpenApiCheck.Run(named.GetValueOrDefault("openapi", "docs/openapi.json"), report);
var graph = Models.LoadGraph(named.GetValueOrDefault("graph-csdl", "test/fixtures/graph-beta/appproxy.csdl.xml"), report);
using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };
var driven = new List<(string Method, string Path)>();
await OpenApiCheck.ReadServed(http, baseUrl, token, report, driven);
foreach (var version in new[] { "beta", "v1.0" })
{
    var session = new Session(http, baseUrl, version, token, readToken, graph, report, driven, routes);
    if (!await session.LoadServiceModel()) continue;
    await Samples.Drive(session);
}
Coverage.Check(routes, driven, report);
return report.Finish(DateTime.UtcNow - started);
