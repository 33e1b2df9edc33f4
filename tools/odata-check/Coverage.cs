using System.Text.RegularExpressions;

namespace OdataCheck;

/// <summary>Every route of docs/openapi.json must have had a request driven through it (Samples.cs).</summary>
public static class Coverage
{
    public static void Check(IReadOnlyList<(string Method, string Template)> routes, List<(string Method, string Path)> driven, Report report)
    {
        foreach (var (method, template) in routes)
        {
            var pattern = new Regex("^" + string.Join("[^/]+", template.Split('{').Select((part, i) => Regex.Escape(i == 0 ? part : part[(part.IndexOf('}') + 1)..]))) + "$");
            var count = driven.Count(d => d.Method == method && pattern.IsMatch(d.Path));
            if (count > 0) report.Ok($"route {method} {template}: {count} request(s) driven");
            else report.Fail($"route {method} {template}", "no request in Samples.cs drives this route of docs/openapi.json");
        }
    }
}
