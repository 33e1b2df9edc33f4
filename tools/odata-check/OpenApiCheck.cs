using System.Net.Http.Headers;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace OdataCheck;

/// <summary>docs/openapi.json (and what /openapi.json serves) read by Microsoft.OpenApi with its default rules.</summary>
public static class OpenApiCheck
{
    public static async Task<IReadOnlyList<(string Method, string Template)>> Run(string path, Report report)
    {
        await using var stream = File.OpenRead(path);
        var document = await Read(stream, path, report);
        if (document is null) return [];
        return document.Paths.SelectMany(p => (p.Value.Operations ?? []).Select(o => (o.Key.Method.ToUpperInvariant(), p.Key))).ToList();
    }

    public static async Task ReadServed(HttpClient http, string baseUrl, string token, Report report, List<(string, string)> driven)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/openapi.json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        driven.Add(("GET", "/openapi.json"));
        if ((int)response.StatusCode != 200) { report.Fail("GET /openapi.json", $"answered {(int)response.StatusCode}"); return; }
        await using var stream = await response.Content.ReadAsStreamAsync();
        await Read(stream, "GET /openapi.json", report);
    }

    private static async Task<OpenApiDocument?> Read(Stream stream, string what, Report report)
    {
        var settings = new OpenApiReaderSettings { RuleSet = ValidationRuleSet.GetDefaultRuleSet() };
        var (document, diagnostic) = await OpenApiDocument.LoadAsync(stream, "json", settings);
        var problems = (diagnostic?.Errors ?? []).Select(e => $"error {e}").Concat((diagnostic?.Warnings ?? []).Select(w => $"warning {w}")).ToList();
        if (document is not null)
        {
            // The rules once more over the document read, warnings included (the reader reports its own errors only).
            var validator = new OpenApiValidator(ValidationRuleSet.GetDefaultRuleSet());
            new OpenApiWalker(validator).Walk(document);
            problems.AddRange(validator.Errors.Select(e => $"error {e}"));
            problems.AddRange(validator.Warnings.Select(w => $"warning {w}"));
        }
        if (document is null) problems.Add("no document");
        if (problems.Count == 0) report.Ok($"{what}: Microsoft.OpenApi reads it (OpenAPI {diagnostic?.SpecificationVersion}), default rules: no error, no warning");
        else report.Fail($"{what}: Microsoft.OpenApi with its default rules", string.Join("; ", problems.Distinct()));
        return document;
    }
}
