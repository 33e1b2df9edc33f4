using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.WebJobs.Extensions.Http;

namespace HostCheck;

public sealed record FunctionSpec(string Name, string Route, string[] Methods);

/// <summary>
/// The checks the host makes on an app's functions at start-up, as its source shows them (the worker's metadata
/// name check, then ScriptHost's HTTP checks in name order). A function that fails one is left out, with its error.
/// </summary>
public static partial class StartupRules
{
    [GeneratedRegex("^[a-z][a-z0-9_-]{0,127}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Name();

    public static (List<FunctionSpec> Accepted, List<string> Errors) Apply(IEnumerable<FunctionSpec> functions)
    {
        var accepted = new List<FunctionSpec>();
        var errors = new List<string>();
        foreach (var fn in functions.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase))
        {
            string? error = Check(fn, accepted);
            if (error is null) accepted.Add(string.IsNullOrWhiteSpace(fn.Route) ? fn with { Route = fn.Name } : fn);
            else errors.Add($"{fn.Name}: {error}");
        }
        return (accepted, errors);
    }

    private static string? Check(FunctionSpec fn, List<FunctionSpec> earlier)
    {
        if (!Name().IsMatch(fn.Name) || fn.Name.Equals("host", StringComparison.OrdinalIgnoreCase)) return "not a valid function name";
        string route = string.IsNullOrWhiteSpace(fn.Route) ? fn.Name : fn.Route;
        string trimmed = route.Trim('/');
        string lower = trimmed.ToLowerInvariant();
        if (lower.StartsWith("admin") || lower.StartsWith("runtime")) return "the route conflicts with one or more built in routes";
        foreach (var other in earlier)
        {
            bool sameRoute = string.Equals(trimmed, other.Route.Trim('/'), StringComparison.OrdinalIgnoreCase);
            bool anyMethod = fn.Methods.Length == 0 || other.Methods.Length == 0 || fn.Methods.Intersect(other.Methods).Any();
            if (sameRoute && anyMethod) return $"the route conflicts with the route of function '{other.Name}'";
        }
        // The host keys HTTP functions by name as given (an ordinal dictionary).
        if (earlier.Any(o => o.Name == fn.Name)) return "the function name is not unique";
        return null;
    }
}

/// <summary>Marks the chosen function on the request, as ScriptRouteHandler sets its execution feature.</summary>
public sealed class Recorder : IWebJobsRouteHandler
{
    public const string FunctionKey = "host-check:function";

    public JsonObject? Last { get; set; }

    public Task InvokeAsync(HttpContext context, string functionName)
    {
        context.Items[FunctionKey] = functionName;
        return Task.CompletedTask;
    }
}

/// <summary>
/// What the Node worker receives for a request (RpcHttp, with the Node worker's capabilities: nullable query and
/// header maps, body as raw bytes): URL from scheme, Host, Path and QueryString; the query as ASP.NET Core's
/// merged collection; header names lower-cased; route values as params; a body only when Content-Length > 0.
/// </summary>
public static class WorkerView
{
    public static async Task<JsonObject> Of(HttpContext context, string function)
    {
        var request = context.Request;
        var routeValues = context.Features.Get<IRoutingFeature>()?.RouteData?.Values ?? new RouteValueDictionary();
        var parameters = new JsonObject();
        foreach (var (key, value) in routeValues)
        {
            if (value is not null) parameters[key] = value.ToString();
        }
        var query = new JsonArray();
        foreach (var (key, value) in request.Query) query.Add(new JsonArray(key, value.ToString()));
        var headers = new JsonArray();
        foreach (var (key, value) in request.Headers) headers.Add(new JsonArray(key.ToLowerInvariant(), value.ToString()));
        string? body = null;
        if (request.ContentLength > 0)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            body = Encoding.UTF8.GetString(buffer.ToArray());
        }
        return new JsonObject
        {
            ["function"] = function,
            ["params"] = parameters,
            ["method"] = request.Method,
            ["url"] = $"{(request.IsHttps ? "https" : "http")}://{request.Host}{request.Path}{request.QueryString}",
            ["query"] = query,
            ["headers"] = headers,
            ["body"] = body,
        };
    }
}

public sealed record Reply(int Status, int BodyLength);

/// <summary>Writes a request's bytes to a fresh connection and reads the answer's status and body length.</summary>
public static class RawClient
{
    public static async Task<Reply> Send(int port, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (a refused request line).
        }
        var received = new MemoryStream();
        var chunk = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(chunk, timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                break;
            }
            if (read == 0) break;
            received.Write(chunk, 0, read);
            if (Parse(received.ToArray()) is { } done) return done;
        }
        return Parse(received.ToArray()) ?? throw new InvalidOperationException("no complete answer");
    }

    private static Reply? Parse(byte[] bytes)
    {
        string text = Encoding.Latin1.GetString(bytes);
        int split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0) return null;
        var lines = text[..split].Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1]);
        var length = lines.Skip(1).Select(l => l.Split(':', 2)).FirstOrDefault(p => p[0].Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase));
        if (length is null) return null;
        int expected = int.Parse(length[1].Trim());
        return bytes.Length - (split + 4) >= expected ? new Reply(status, expected) : null;
    }
}

public static class Golden
{
    /// <summary>Longest string kept as it is; a longer one is written as "sha256:HEX:LENGTH" (the Node test does the same).</summary>
    public const int LongString = 200;

    public static JsonNode? Compact(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Compact(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Compact).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length > LongString =>
            JsonValue.Create($"sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(s)))}:{s.Length}"),
        _ => node?.DeepClone(),
    };
}
