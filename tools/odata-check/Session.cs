using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;

namespace OdataCheck;

/// <summary>An answer as it came over the wire.</summary>
public sealed record Answer(string Method, Uri Url, int Status, Dictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>Options of one request of Samples.cs.</summary>
public sealed record Send
{
    public string? Body { get; init; }
    public Dictionary<string, string> Headers { get; init; } = [];
    /// <summary>"write" (default), "read" (READ_TOKEN) or "none".</summary>
    public string Token { get; init; } = "write";
    /// <summary>Sent with Transfer-Encoding: chunked (no Content-Length).</summary>
    public bool Chunked { get; init; }
    /// <summary>
    /// When the request URL names no navigation source in a model (a route the service serves beyond Graph's
    /// metadata, docs/API.md's differences): the URL whose navigation source the answer is read with.
    /// </summary>
    public Func<Answer, Uri>? ReadAs { get; init; }
}

public sealed class Session(
    HttpClient http, string baseUrl, string version, string token, string readToken, IEdmModel? graph, Report report,
    List<(string Method, string Path)> driven, IReadOnlyList<(string Method, string Template)> routes)
{
    /// <summary>Whether docs/openapi.json lists this route under this version (e.g. "GET", "auditLogs/directoryAudits").</summary>
    public bool Serves(string method, string template) => routes.Contains((method, $"/{version}/{template}"));

    public string Version => version;
    /// <summary>The service root: {base}/{version}/.</summary>
    public Uri Root { get; } = new($"{baseUrl}/{version}/");
    public IEdmModel? Service { get; private set; }
    public Report Report => report;

    public async Task<bool> LoadServiceModel()
    {
        var answer = await Call("GET", "$metadata", 200, null, read: false);
        if (answer is null) return false;
        Service = Models.Parse(answer.Text, $"{version} $metadata", report);
        if (Service is null) return false;
        Models.Validate(Service, $"{version} $metadata", report);
        // The metadata document once more through ODataMessageReader, as a client reads it.
        report.Check($"{version} $metadata: ODataMessageReader.ReadMetadataDocument", () =>
        {
            using var reader = new ODataMessageReader(new Message(answer), ReaderSettings(), Service);
            reader.ReadMetadataDocument();
        });
        return true;
    }

    /// <summary>
    /// Sends a request (path relative to the version root), checks the status, and reads the answer with
    /// Microsoft's reader against both models; collections are followed through every @odata.nextLink.
    /// </summary>
    public async Task<Answer?> Call(string method, string path, int expect, Send? options = null, bool read = true)
    {
        options ??= new Send();
        var url = new Uri(Root, path);
        var answer = await Exchange(method, url, options);
        var title = $"{version} {method} {path}";
        if (answer.Status != expect)
        {
            report.Fail(title, $"answered {answer.Status}, expected {expect}: {Shorten(answer.Text)}");
            return answer;
        }
        report.Ok($"{title} -> {answer.Status}");
        if (!read) return answer;
        ReadBoth(title, answer, options.ReadAs);
        await FollowNextLinks(title, answer, options.Token);
        return answer;
    }

    /// <summary>Every nextLink of an answer, its own and its expanded collections' (`members@odata.nextLink`), to the end.</summary>
    private async Task FollowNextLinks(string title, Answer answer, string token)
    {
        if (answer.Status != 200 || !IsJson(answer)) return;
        var links = new List<(string Name, string Url)>();
        NextLinks(answer.Json, links);
        foreach (var (name, url) in links)
        {
            var next = await Exchange("GET", new Uri(url), new Send { Token = token });
            var where = $"{title} {name} {next.Url.PathAndQuery}";
            if (next.Status != 200) { report.Fail(where, $"the nextLink answered {next.Status}: {Shorten(next.Text)}"); continue; }
            report.Ok($"{where} -> 200");
            ReadBoth(where, next, null);
            await FollowNextLinks(title, next, token);
        }
    }

    private static void NextLinks(JsonElement json, List<(string, string)> links)
    {
        if (json.ValueKind == JsonValueKind.Array) { foreach (var item in json.EnumerateArray()) NextLinks(item, links); return; }
        if (json.ValueKind != JsonValueKind.Object) return;
        foreach (var property in json.EnumerateObject())
        {
            if (property.Name.EndsWith("@odata.nextLink") && property.Value.ValueKind == JsonValueKind.String) links.Add((property.Name, property.Value.GetString()!));
            else NextLinks(property.Value, links);
        }
    }

    private async Task<Answer> Exchange(string method, Uri url, Send options)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        var bearer = options.Token switch { "write" => token, "read" => readToken, _ => null };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (options.Body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(options.Body);
            request.Content = options.Chunked ? new StreamContent(new UnknownLength(bytes)) : new ByteArrayContent(bytes);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", options.Headers.GetValueOrDefault("Content-Type", "application/json"));
        }
        foreach (var (name, value) in options.Headers.Where(h => h.Key != "Content-Type")) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value));
        var body = await response.Content.ReadAsByteArrayAsync();
        driven.Add((method, url.AbsolutePath));
        return new Answer(method, url, (int)response.StatusCode, headers, body);
    }

    private void ReadBoth(string title, Answer answer, Func<Answer, Uri>? readAs)
    {
        if (Service is not null) Read($"{title}: read against the service's $metadata", Service, answer, UrlIn(Service, answer, readAs));
        if (graph is not null) Read($"{title}: read against Graph's beta metadata", graph, answer, UrlIn(graph, answer, readAs));
    }

    private Uri UrlIn(IEdmModel model, Answer answer, Func<Answer, Uri>? readAs)
    {
        if (readAs is null) return answer.Url;
        try { Parser(model, answer.Url).ParsePath(); return answer.Url; } catch (ODataException) { return readAs(answer); }
    }

    public ODataUriParser Parser(IEdmModel model, Uri url) => new(model, Root, url) { UrlKeyDelimiter = ODataUrlKeyDelimiter.Slash };

    public static ODataMessageReaderSettings ReaderSettings() => new() { Validations = ValidationKinds.All, EnableMessageStreamDisposal = true };

    /// <summary>Reads one answer with ODataMessageReader: the kind of payload follows from the request URL's path.</summary>
    private void Read(string title, IEdmModel model, Answer answer, Uri requestUrl)
    {
        report.Check(title, () => ReadPayload(model, answer, requestUrl));
        CheckUrls(title, model, answer);
    }

    private void ReadPayload(IEdmModel model, Answer answer, Uri requestUrl)
    {
        if (answer.Status == 204 || answer.Status == 304)
        {
            if (answer.Body.Length != 0) throw new InvalidDataException($"a {answer.Status} with a body");
            return;
        }
        if (answer.Status >= 400)
        {
            var error = Reader(model, Departures.InnerErrorAsOData(answer)).ReadError();
            if (string.IsNullOrEmpty(error.Code) || string.IsNullOrEmpty(error.Message)) throw new InvalidDataException("an error without code or message");
            return;
        }
        var path = Parser(model, requestUrl).ParsePath();
        var last = path.LastSegment;
        using var reader = Reader(model, answer);
        switch (last)
        {
            case MetadataSegment:
                reader.ReadMetadataDocument();
                return;
            case BatchSegment:
                ReadBatch(model, reader, answer);
                return;
            case CountSegment:
                var count = reader.ReadValue(EdmCoreModel.Instance.GetInt64(false));
                if (count is not long) throw new InvalidDataException($"a count of {count}");
                return;
            case NavigationPropertyLinkSegment link when answer.Method == "GET":
                if (link.NavigationProperty.Type.IsCollection()) reader.ReadEntityReferenceLinks();
                else reader.ReadEntityReferenceLink();
                return;
            case NavigationPropertyLinkSegment:
                // A write of a reference that answers with the target entity (seed 003): read as the entity its
                // Location names.
                var location = answer.Header("location") ?? throw new InvalidDataException("an entity answered without Location");
                var target = Parser(model, new Uri(location)).ParsePath();
                Drain(reader.CreateODataResourceReader(target.NavigationSource(), (IEdmStructuredType)target.EdmType().Definition));
                return;
        }
        var source = path.NavigationSource();
        var type = path.EdmType().Definition;
        if (type is IEdmCollectionType created && answer.Method == "POST")
            // A create answers with the entity it made in the collection.
            Drain(reader.CreateODataResourceReader(source, (IEdmStructuredType)created.ElementType.Definition));
        else if (type is IEdmCollectionType collection)
            Drain(reader.CreateODataResourceSetReader(source as IEdmEntitySetBase, (IEdmStructuredType)collection.ElementType.Definition));
        else
            Drain(reader.CreateODataResourceReader(source, (IEdmStructuredType)type));
    }

    private static ODataMessageReader Reader(IEdmModel model, Answer answer) => new(new Message(answer), ReaderSettings(), model);

    private static void Drain(ODataReader reader)
    {
        while (reader.Read()) { }
        if (reader.State != ODataReaderState.Completed) throw new InvalidDataException($"the reader stopped in state {reader.State}");
    }

    /// <summary>A JSON $batch answer: each item's body is read by a reader of its own, by its request's URL.</summary>
    private void ReadBatch(IEdmModel model, ODataMessageReader reader, Answer answer)
    {
        var requests = Batches.GetValueOrDefault(answer) ?? throw new InvalidDataException("no batch request recorded for this answer");
        var batch = reader.CreateODataBatchReader();
        var problems = new List<string>();
        var seen = 0;
        while (batch.Read())
        {
            if (batch.State != ODataBatchReaderState.Operation) continue;
            var item = batch.CreateOperationResponseMessage();
            seen++;
            var id = item.ContentId ?? throw new InvalidDataException("an item without id");
            var (method, url) = requests[id];
            using var stream = item.GetStream();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var itemHeaders = item.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value);
            var body = copy.ToArray();
            // A text item (a $count) is a JSON string in the batch (OData JSON Format, "Batch Requests and
            // Responses": the body of a non-JSON media type is a string); ODataLib's JSON batch reader hands that
            // string on with its quotes, so the item's own reader is given the text it stands for.
            if (itemHeaders.GetValueOrDefault("content-type")?.StartsWith("text/plain") == true && body.Length > 0 && body[0] == '"')
                body = Encoding.UTF8.GetBytes(JsonSerializer.Deserialize<string>(body)!);
            var inner = new Answer(method, new Uri(Root, url.TrimStart('/').StartsWith(version + "/") ? url.TrimStart('/')[(version.Length + 1)..] : url.TrimStart('/')),
                item.StatusCode, itemHeaders, body);
            try { ReadPayload(model, inner, inner.Url); }
            catch (Exception e) { problems.Add($"item {id} ({method} {url} -> {item.StatusCode}): {Report.Describe(e)}"); }
        }
        if (seen != requests.Count) problems.Add($"{seen} items answered, {requests.Count} sent");
        if (problems.Count > 0) throw new InvalidDataException(string.Join("; ", problems));
    }

    /// <summary>The items of each $batch sent (id: method, url), for reading its answer.</summary>
    public Dictionary<Answer, Dictionary<string, (string Method, string Url)>> Batches { get; } = [];

    /// <summary>A JSON $batch of the items (url relative to the host: `/beta/…`); `inOrder` chains them by dependsOn.</summary>
    public async Task<Answer?> Batch(string title, int expect, (string Id, string Method, string Url, string? Body)[] items, bool inOrder = false)
    {
        var body = JsonSerializer.Serialize(new
        {
            requests = items.Select((i, n) =>
            {
                var request = new Dictionary<string, object> { ["id"] = i.Id, ["method"] = i.Method, ["url"] = i.Url };
                if (i.Body is not null)
                {
                    request["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" };
                    request["body"] = JsonDocument.Parse(i.Body).RootElement;
                }
                if (inOrder && n > 0) request["dependsOn"] = new[] { items[n - 1].Id };
                return request;
            }),
        });
        var url = new Uri(Root, "$batch");
        var answer = await Exchange("POST", url, new Send { Body = body });
        if (answer.Status != expect) { report.Fail($"{version} POST $batch ({title})", $"answered {answer.Status}: {Shorten(answer.Text)}"); return answer; }
        report.Ok($"{version} POST $batch ({title}) -> {answer.Status}");
        Batches[answer] = items.ToDictionary(i => i.Id, i => (i.Method, i.Url));
        ReadBoth($"{version} POST $batch ({title})", answer, null);
        // The URLs inside the items' bodies.
        if (answer.Status == 200)
            foreach (var item in answer.Json.GetProperty("responses").EnumerateArray())
                if (item.TryGetProperty("body", out var itemBody) && itemBody.ValueKind == JsonValueKind.Object)
                    CheckUrls($"{version} POST $batch ({title}) item {item.GetProperty("id").GetString()}", Service!, itemBody, null);
        return answer;
    }

    private void CheckUrls(string title, IEdmModel model, Answer answer)
    {
        var location = answer.Header("location");
        if (!IsJson(answer) || answer.Body.Length == 0) { CheckUrls(title, model, null, location); return; }
        CheckUrls(title, model, answer.Json, location);
    }

    /// <summary>Parses every URL the service hands out (nextLinks, ids, Location, context URLs) with ODataUriParser.</summary>
    private void CheckUrls(string title, IEdmModel model, JsonElement? json, string? location)
    {
        var urls = new List<(string Kind, string Url)>();
        if (location is not null) urls.Add(("Location", location));
        if (json is { } j) Collect(j, urls);
        foreach (var (kind, url) in urls.Distinct())
            report.Check($"{title}: ODataUriParser parses {kind} {url}", () => ParseHandedOut(model, kind, url));
    }

    private static void Collect(JsonElement json, List<(string, string)> urls)
    {
        if (json.ValueKind == JsonValueKind.Array) { foreach (var item in json.EnumerateArray()) Collect(item, urls); return; }
        if (json.ValueKind != JsonValueKind.Object) return;
        foreach (var property in json.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String &&
                (property.Name is "@odata.id" or "@odata.context" or "@odata.nextLink" || property.Name.EndsWith("@odata.nextLink") || property.Name.EndsWith("@odata.navigationLink")))
                urls.Add((property.Name, property.Value.GetString()!));
            else Collect(property.Value, urls);
        }
    }

    private void ParseHandedOut(IEdmModel model, string kind, string url)
    {
        var uri = new Uri(url, UriKind.RelativeOrAbsolute);
        if (!uri.IsAbsoluteUri) throw new InvalidDataException("not an absolute URL");
        if (kind == "@odata.context")
        {
            var metadata = new Uri(Root, "$metadata").AbsoluteUri;
            if (!url.StartsWith(metadata + "#", StringComparison.Ordinal)) throw new InvalidDataException($"does not start with {metadata}#");
            var fragment = url[(metadata.Length + 1)..];
            if (fragment is "$ref" or "Collection($ref)") return;
            // The path part of the context URL: without /$entity and without a select list (a key is quoted).
            var pathPart = fragment.EndsWith("/$entity") ? fragment[..^"/$entity".Length] : fragment;
            var open = pathPart.IndexOf('(', pathPart.LastIndexOf('/') + 1);
            if (open > 0 && pathPart.EndsWith(')') && pathPart[open + 1] is not '\'' && !char.IsDigit(pathPart[open + 1])) pathPart = pathPart[..open];
            new ODataUriParser(model, Root, new Uri(Root, pathPart)) { UrlKeyDelimiter = ODataUrlKeyDelimiter.Parentheses }.ParsePath();
            return;
        }
        if (!url.StartsWith(Root.AbsoluteUri, StringComparison.Ordinal)) throw new InvalidDataException($"not under the service root {Root}");
        Parser(model, uri).ParseUri();
    }

    private static bool IsJson(Answer answer) => answer.Header("content-type")?.StartsWith("application/json") == true;

    public static string Shorten(string text) => text.Length > 400 ? text[..400] + "…" : text;

    /// <summary>An answer as ODataLib's IODataResponseMessage.</summary>
    private sealed class Message(Answer answer) : IODataResponseMessage
    {
        private readonly Dictionary<string, string> headers = new(answer.Headers, StringComparer.OrdinalIgnoreCase);
        public IEnumerable<KeyValuePair<string, string>> Headers => headers;
        public int StatusCode { get => answer.Status; set => throw new NotSupportedException(); }
        public string? GetHeader(string headerName) => headers.GetValueOrDefault(headerName);
        public void SetHeader(string headerName, string headerValue) => headers[headerName] = headerValue;
        public Stream GetStream() => new MemoryStream(answer.Body, writable: false);
    }

    /// <summary>A body stream whose length is unknown, so that HttpClient sends it chunked.</summary>
    private sealed class UnknownLength(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
