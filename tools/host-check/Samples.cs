using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HostCheck;

/// <summary>A run of one text repeated, so long requests stay short in the golden file.</summary>
public sealed record Repeat(string Text, int Count);

/// <summary>A raw request: text parts and repeats, sent as their UTF-8 bytes in order.</summary>
public sealed record Sample(string Name, object[] Parts)
{
    public byte[] Bytes() => Encoding.UTF8.GetBytes(string.Concat(Parts.Select(p => p is Repeat r ? string.Concat(Enumerable.Repeat(r.Text, r.Count)) : (string)p)));

    public JsonArray PartsJson() => new(Parts.Select(p => p is Repeat r
        ? (JsonNode)new JsonObject { ["repeat"] = r.Text, ["count"] = r.Count }
        : JsonValue.Create((string)p)!).ToArray());
}

public static partial class Samples
{
    /// <summary>Every method a sample tries on each route: the fallback's seven and one it does not list.</summary>
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"];

    private const string Profile = "/beta/onPremisesPublishingProfiles/applicationProxy";
    private const string Groups = Profile + "/connectorGroups";
    private const string Id = "3d2f6a1c-0b5e-4c8a-9f1e-7a6b5c4d3e2f";

    [GeneratedRegex(@"\{\*{1,2}([^}]+)\}")]
    private static partial Regex CatchAll();

    [GeneratedRegex(@"\{([^}*]+)\}")]
    private static partial Regex Parameter();

    private static string Line(string method, string target) => $"{method} {target} HTTP/1.1\r\n";

    private static Sample Get(string name, string target, string headers = "") =>
        new(name, [Line("GET", target), "Host: localhost\r\n", headers, "\r\n"]);

    private static Sample Send(string method, string name, string target, string body, string headers = "") =>
        new(name, [Line(method, target), "Host: localhost\r\nContent-Type: application/json\r\n", $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", headers, "\r\n", body]);

    /// <summary>A concrete path for a route template: the profile's id, a GUID for other parameters, two segments for a catch-all.</summary>
    private static string PathOf(string route, string prefix)
    {
        string path = CatchAll().Replace(route, "unknown/resource");
        path = Parameter().Replace(path, m => m.Groups[1].Value == "profileId" ? "applicationProxy" : Id);
        return "/" + (prefix == "" ? "" : prefix.Trim('/') + "/") + path.Trim('/');
    }

    public static List<Sample> For(IEnumerable<FunctionSpec> functions, string prefix)
    {
        var samples = new List<Sample>();
        var paths = functions.Select(f => PathOf(f.Route, prefix)).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            foreach (var method in Methods)
            {
                samples.Add(method is "POST" or "PUT" or "PATCH"
                    ? Send(method, $"{method} {path}", path, "{}")
                    : new Sample($"{method} {path}", [Line(method, path), "Host: localhost\r\n\r\n"]));
            }
        }
        samples.AddRange(EdgeCases());
        return samples;
    }

    private static IEnumerable<Sample> EdgeCases()
    {
        // Case: literals match ignoring case; parameter values keep theirs.
        yield return Get("path in other case", "/BETA/ONPREMISESPUBLISHINGPROFILES/ApplicationProxy/CONNECTORGROUPS");
        yield return Get("v1.0 in upper case", "/V1.0/onPremisesPublishingProfiles/applicationProxy/connectors");
        // Literal segments against parameters.
        yield return Get("$count beside {id}", Groups + "/$count");
        yield return Get("$count in upper case", Groups + "/$COUNT");
        yield return Get("$count percent-encoded", Groups + "/%24count");
        yield return Send("POST", "$ref beside {connectorId}", Groups + "/" + Id + "/members/$ref", "{}");
        yield return Send("POST", "$ref percent-encoded", Groups + "/" + Id + "/members/%24ref", "{}");
        yield return Get("members/{connectorId}/$ref read", Groups + "/" + Id + "/members/" + Id + "/$ref");
        yield return Get("$batch read", "/beta/$batch");
        yield return Get("$metadata in lower case", "/beta/$METADATA");
        // Encoded characters.
        yield return Get("version dot percent-encoded", "/v1%2E0/onPremisesPublishingProfiles/applicationProxy/connectorGroups");
        yield return Get("encoded slash in an id", Groups + "/a%2Fb");
        yield return Get("encoded slash in a literal", "/beta/onPremisesPublishingProfiles%2FapplicationProxy/connectorGroups");
        yield return Get("encoded space in an id", Groups + "/a%20b");
        yield return Get("encoded UTF-8 in an id", Groups + "/caf%C3%A9");
        yield return Get("invalid escape in an id", Groups + "/a%zzb");
        yield return Get("encoded percent in an id", Groups + "/a%25b");
        yield return Get("encoded percent before hex digits", Groups + "/a%2541");
        yield return Get("encoded plus and raw plus in an id", Groups + "/a%2Bb+c");
        yield return Get("unencoded UTF-8 in an id", Groups + "/café");
        // Dot segments.
        yield return Get("dot-dot segment", "/beta/x/../onPremisesPublishingProfiles/applicationProxy/connectorGroups");
        yield return Get("dot segment", "/beta/./onPremisesPublishingProfiles/applicationProxy/connectors");
        yield return Get("encoded dot-dot segment", "/beta/x/%2E%2E/onPremisesPublishingProfiles/applicationProxy/connectorGroups");
        yield return Get("dot-dot above the root", "/../beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups");
        yield return Get("dot-dot segment as an id", Groups + "/" + Id + "/..");
        // Empty segments.
        yield return Get("leading double slash", "//beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups");
        yield return Get("double slash inside", "/beta//onPremisesPublishingProfiles/applicationProxy/connectorGroups");
        yield return Get("double slash before an id", Groups + "//" + Id);
        yield return Get("trailing slash", Groups + "/");
        yield return Get("catch-all with a trailing slash", "/beta/unknown/resource/");
        yield return Get("two trailing slashes", Groups + "//");
        yield return Get("root", "/");
        // Query strings, merged by ASP.NET Core's parser.
        yield return Get("repeated $select", Groups + "?$select=id&$select=name");
        yield return Get("$top in two cases", Groups + "?$TOP=5&$top=6");
        yield return Get("a key in three spellings between others", Groups + "?$Top=1&b=2&$TOP=3&c=4&$top=5&B=6");
        yield return Get("$filter percent-encoded key", Groups + "?%24filter=name%20eq%20%27a%27&$top=2");
        yield return Get("plus in a query value", Groups + "?$search=%22a+b%22");
        yield return Get("empty query value and bare key", Groups + "?$filter=&$count");
        yield return Get("empty query pieces", Groups + "?&&$top=1&&");
        yield return Get("query with no key", Groups + "?=x&$top=1");
        yield return Get("empty query", Groups + "?");
        yield return Get("comma in a repeated value", Groups + "?$orderby=name,id&$orderby=displayName");
        yield return Get("invalid escape in query", Groups + "?$filter=a%zz");
        yield return Get("fragment in target", Groups + "#frag");
        // Headers.
        yield return Get("repeated header", Groups, "X-Sample: one\r\nX-Sample: two\r\n");
        yield return Get("header name case", Groups, "ConsistencyLevel: eventual\r\n");
        yield return new Sample("no Host header", [Line("GET", Groups), "\r\n"]);
        yield return Get("two Host headers", Groups, "Host: other\r\n");
        yield return new Sample("Host with a space", [Line("GET", Groups), "Host: a b\r\n\r\n"]);
        yield return new Sample("absolute-form target", [Line("GET", "http://localhost" + Groups), "Host: localhost\r\n\r\n"]);
        yield return new Sample("absolute-form target, another Host", [Line("GET", "http://localhost" + Groups), "Host: example.com\r\n\r\n"]);
        yield return Get("backslashes in the target", Groups + "\\..\\x");
        yield return new Sample("asterisk target", [Line("GET", "*"), "Host: localhost\r\n\r\n"]);
        yield return new Sample("asterisk target with OPTIONS", [Line("OPTIONS", "*"), "Host: localhost\r\n\r\n"]);
        yield return new Sample("target without a slash", [Line("GET", "beta/onPremisesPublishingProfiles"), "Host: localhost\r\n\r\n"]);
        // Bodies.
        yield return Send("POST", "body with Content-Length", Groups, "{\"displayName\":\"g\"}");
        yield return new Sample("chunked body", [Line("POST", Groups), "Host: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", "13\r\n{\"displayName\":\"g\"}\r\n0\r\n\r\n"]);
        yield return new Sample("empty body, Content-Length 0", [Line("POST", Groups), "Host: localhost\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n"]);
        yield return new Sample("POST without Content-Length", [Line("POST", Groups), "Host: localhost\r\nContent-Type: application/json\r\n\r\n"]);
        yield return Send("GET", "GET with a body", Groups, "{}");
        yield return Send("DELETE", "DELETE with a body", Groups + "/" + Id, "{}");
        yield return new Sample("Content-Length over the host's limit", [Line("POST", Groups), "Host: localhost\r\nContent-Type: application/json\r\nContent-Length: 104857601\r\n\r\n{}"]);
        yield return new Sample("invalid Content-Length", [Line("POST", Groups), "Host: localhost\r\nContent-Length: x\r\n\r\n{}"]);
        yield return new Sample("unknown transfer coding", [Line("POST", Groups), "Host: localhost\r\nTransfer-Encoding: gzip\r\n\r\n{}"]);
        // Limits: the request line (8 KB by default), the header section (32 KB) and the header count (100).
        foreach (int size in new[] { 8190, 8191, 8192, 8193 })
        {
            string head = $"GET {Groups}?$filter=";
            const string tail = " HTTP/1.1\r\n";
            yield return new Sample($"request line of {size} bytes", [head, new Repeat("x", size - head.Length - tail.Length), tail, "Host: localhost\r\n\r\n"]);
        }
        foreach (int size in new[] { 32766, 32767, 32768, 32769 })
        {
            // Host header (17 bytes with its CRLF) plus one padding header of the rest.
            const string name = "X-Padding: ";
            yield return new Sample($"header section of {size} bytes", [Line("GET", Groups), "Host: localhost\r\n", name, new Repeat("p", size - 17 - name.Length - 2), "\r\n\r\n"]);
        }
        foreach (int count in new[] { 100, 101 })
        {
            yield return new Sample($"{count} headers", [Line("GET", Groups), "Host: localhost\r\n", new Repeat("X-Many: 1\r\n", count - 1), "\r\n"]);
        }
        yield return new Sample("unknown method", [Line("FROB", Groups), "Host: localhost\r\n\r\n"]);
        foreach (var method in new[] { "TRACE", "MKCOL" })
        {
            yield return new Sample($"{method}, a method no function lists", [Line(method, Groups), "Host: localhost\r\n\r\n"]);
        }
    }
}
