using System.Text.Json;

namespace OdataCheck;

/// <summary>
/// The requests driven under each version: every route of docs/openapi.json (Coverage fails on one left out) and
/// every kind of answer. A new route needs its requests here: a `Call` each, with the status it answers.
/// </summary>
public static class Samples
{
    private const string P = "onPremisesPublishingProfiles/applicationProxy";
    private static readonly Send Minimal = new() { Headers = { ["Prefer"] = "return=minimal" } };

    private static Send Json(object body) => new() { Body = JsonSerializer.Serialize(body) };
    private static Send Json(object body, string header, string value) => new() { Body = JsonSerializer.Serialize(body), Headers = { [header] = value } };
    private static string Id(Answer? answer) => answer?.Status is 200 or 201 ? answer.Json.GetProperty("id").GetString()! : "missing";

    public static async Task Drive(Session s)
    {
        var tag = $"odata-check-{Guid.NewGuid().ToString()[..8]}";
        var groupUrl = (string id) => new Uri(s.Root, $"{P}/connectorGroups/{id}").AbsoluteUri;
        var connectorUrl = (string id) => new Uri(s.Root, $"{P}/connectors/{id}").AbsoluteUri;
        // Seed 001's create: neither metadata has a connectorGroups entity set (docs/API.md, difference 3); read by its Location.
        var byLocation = new Send { Body = JsonSerializer.Serialize(new { name = $"{tag}-b" }), ReadAs = a => new Uri(a.Header("location") ?? a.Url.AbsoluteUri) };

        // Creates: 201 with the entity and Location; minimal: 204.
        var g1 = Id(await s.Call("POST", $"{P}/connectorGroups", 201, Json(new { name = $"{tag}-a", region = "eur" })));
        var g2 = Id(await s.Call("POST", "connectorGroups", 201, byLocation));
        var c1 = Id(await s.Call("POST", $"{P}/connectors", 201, Json(new { machineName = $"{tag}-1.example.com", externalIp = "203.0.113.1" })));
        var c2 = Id(await s.Call("POST", $"{P}/connectors", 201, Json(new { machineName = $"{tag}-2.example.com", externalIp = "203.0.113.2" })));
        var c3 = Id(await s.Call("POST", $"{P}/connectors", 201, Json(new { machineName = $"{tag}-3.example.com", externalIp = "203.0.113.3" })));
        await s.Call("POST", $"{P}/connectorGroups", 201, Json(new { name = $"{tag}-m" }, "Prefer", "return=minimal"));

        // The profile.
        await s.Call("GET", "onPremisesPublishingProfiles", 200);
        await s.Call("GET", "onPremisesPublishingProfiles?$select=id,isEnabled", 200);
        await s.Call("GET", "onPremisesPublishingProfiles/$count", 200);
        await s.Call("GET", P, 200);
        await s.Call("GET", $"{P}?$select=isEnabled", 200);

        // Moves: 201 with the group (seed 003), minimal 204; the members side 204; an application's group (seed 002).
        await s.Call("POST", $"{P}/connectors/{c1}/memberOf/$ref", 201, Json(new Dictionary<string, string> { ["@odata.id"] = groupUrl(g1) }));
        await s.Call("POST", $"{P}/connectors/{c2}/memberOf/$ref", 204, Minimal with { Body = JsonSerializer.Serialize(new Dictionary<string, string> { ["@odata.id"] = groupUrl(g1) }) });
        await s.Call("POST", $"{P}/connectorGroups/{g1}/members/$ref", 204, Json(new Dictionary<string, string> { ["@odata.id"] = connectorUrl(c3) }));
        var app = Guid.NewGuid().ToString();
        await s.Call("PUT", $"applications/{app}/connectorGroup/$ref", 204, Json(new Dictionary<string, string> { ["@odata.id"] = groupUrl(g1) }));
        await s.Call("POST", $"applications/{app}/connectorGroup/members/{c3}/memberOf/$ref", 204, Json(new Dictionary<string, string> { ["@odata.id"] = groupUrl(g2) }));

        // Collections with every query option, paged by $top=1 and followed to the end.
        foreach (var list in new[] { $"{P}/connectorGroups", $"{P}/connectors", $"{P}/connectorGroups/{g1}/members", $"{P}/connectors/{c1}/memberOf" })
        {
            var isGroups = list.EndsWith("connectorGroups") || list.EndsWith("memberOf");
            var text = isGroups ? "name" : "machineName";
            var nav = isGroups ? "members" : "memberOf";
            await s.Call("GET", list, 200);
            await s.Call("GET", $"{list}?$top=1", 200);
            await s.Call("GET", $"{list}?$select=id,{text}&$top=1", 200);
            await s.Call("GET", $"{list}?$expand={nav}", 200);
            await s.Call("GET", $"{list}?$expand={nav}($select=id)&$top=1", 200);
            await s.Call("GET", $"{list}?$filter=startswith({text},'{tag}')&$top=1", 200);
            await s.Call("GET", $"{list}?$orderby={text} desc&$top=2", 200);
            await s.Call("GET", $"{list}?$search=\"{text}:{tag}\"&$top=1", 200);
            await s.Call("GET", $"{list}?$count=true&$top=1", 200);
            await s.Call("GET", $"{list}/$count", 200);
            await s.Call("GET", $"{list}/$count?$filter=startswith({text},'{tag}')", 200);
        }
        await s.Call("GET", $"{P}/connectorGroups/{g1}/members/$ref", 200);
        await s.Call("GET", $"{P}/connectorGroups/{g1}/members/$ref?$top=1", 200);
        await s.Call("GET", $"{P}/connectors/{c1}/memberOf/$ref", 200);

        // Single entities.
        await s.Call("GET", $"{P}/connectorGroups/{g1}", 200);
        await s.Call("GET", $"{P}/connectorGroups/{g1}?$select=name,region", 200);
        await s.Call("GET", $"{P}/connectorGroups/{g1}?$expand=members($select=id,machineName)", 200);
        await s.Call("GET", $"{P}/connectors/{c1}", 200);
        await s.Call("GET", $"{P}/connectors/{c1}?$select=machineName", 200);
        await s.Call("GET", $"{P}/connectors/{c1}?$expand=memberOf", 200);

        // Applications.
        await s.Call("GET", $"applications/{app}/connectorGroup", 200);
        await s.Call("GET", $"applications/{app}/connectorGroup?$expand=members", 200);
        await s.Call("GET", $"applications/{app}/connectorGroup/$ref", 200);
        await s.Call("GET", $"{P}/connectorGroups/{g1}/applications", 200);
        await s.Call("GET", $"{P}/connectorGroups/{g1}/applications?$count=true&$top=1", 200);
        await s.Call("GET", $"{P}/connectorGroups/{g1}/applications/$count", 200);
        await s.Call("GET", $"{P}/connectorGroups/{g1}/applications/{app}", 200);

        // Updates: 200 with the entity, minimal 204.
        await s.Call("PATCH", $"{P}/connectorGroups/{g2}", 200, Json(new { name = $"{tag}-b2" }));
        await s.Call("PATCH", $"{P}/connectorGroups/{g2}", 204, Minimal with { Body = JsonSerializer.Serialize(new { name = $"{tag}-b3" }) });
        await s.Call("PATCH", $"{P}/connectors/{c1}", 200, Json(new { version = "1.5.3437.0" }));
        await s.Call("PATCH", $"{P}/connectors/{c1}", 204, Minimal with { Body = JsonSerializer.Serialize(new { status = "inactive" }) });

        // Errors, each status the service answers with a Graph body.
        await s.Call("GET", $"{P}/connectorGroups?$top=0", 400);
        await s.Call("GET", $"{P}/connectorGroups", 401, new Send { Token = "none" });
        await s.Call("POST", $"{P}/connectorGroups", 403, new Send { Token = "read", Body = JsonSerializer.Serialize(new { name = tag }) });
        await s.Call("GET", $"{P}/connectorGroups/{Guid.NewGuid()}", 404);
        await s.Call("PUT", $"{P}/connectorGroups/{g1}", 405, Json(new { name = tag }));
        await s.Call("DELETE", $"{P}/connectorGroups/{g1}", 409);
        await s.Call("POST", $"{P}/connectorGroups", 411, new Send { Body = JsonSerializer.Serialize(new { name = tag }), Chunked = true });
        await s.Call("PATCH", $"{P}/connectorGroups/{g2}", 412, Json(new { name = tag }, "If-Match", "W/\"odata-check\""));
        await s.Call("POST", $"{P}/connectorGroups", 413, new Send { Body = JsonSerializer.Serialize(new { name = new string('x', 1_100_000) }) });
        await s.Call("POST", $"{P}/connectorGroups", 415, new Send { Body = "name", Headers = { ["Content-Type"] = "text/plain" } });

        // JSON $batch: each item read by a reader of its own.
        await s.Batch("reads, a create, an update, a count, a $ref list, a 404 and a 400", 200, [
            ("1", "GET", $"/{s.Version}/{P}/connectorGroups/{g1}", null),
            ("2", "GET", $"/{s.Version}/{P}/connectors?$top=2", null),
            ("3", "POST", $"/{s.Version}/{P}/connectorGroups", JsonSerializer.Serialize(new { name = $"{tag}-batch" })),
            ("4", "GET", $"/{s.Version}/{P}/connectorGroups/{g1}/members/$count", null),
            ("5", "GET", $"/{s.Version}/{P}/connectorGroups/{g1}/members/$ref", null),
            ("6", "GET", $"/{s.Version}/{P}/connectors/{Guid.NewGuid()}", null),
            ("7", "PATCH", $"/{s.Version}/{P}/connectors/{c1}", JsonSerializer.Serialize(new { version = "1.5.3437.1" })),
            ("8", "GET", $"/{s.Version}/{P}/connectorGroups?$top=0", null),
        ]);

        // An item whose dependency failed: 424, with a Graph error body of its own.
        await s.Batch("a 404 and the 424 of the item depending on it", 200, [
            ("1", "GET", $"/{s.Version}/{P}/connectorGroups/{Guid.NewGuid()}", null),
            ("2", "GET", $"/{s.Version}/{P}/connectorGroups/{g1}", null),
        ], inOrder: true);

        // An expanded collection past its first 100: members@odata.nextLink, followed to the end. The connectors
        // join the Default group; they are made and deleted in ordered batches of 20 (201 and 204 items).
        var many = new List<string>();
        for (var b = 0; b < 6; b++)
        {
            var items = Enumerable.Range(0, 20).Select(i => ($"{i}", "POST", $"/{s.Version}/{P}/connectors",
                (string?)JsonSerializer.Serialize(new { machineName = $"{tag}-m{b * 20 + i}.example.com", externalIp = "203.0.113.9" }))).ToArray();
            var made = await s.Batch($"create 20 connectors ({b + 1}/6)", 200, items, inOrder: true);
            if (made?.Status == 200)
                many.AddRange(made.Json.GetProperty("responses").EnumerateArray().Where(r => r.GetProperty("status").GetInt32() == 201)
                    .Select(r => r.GetProperty("body").GetProperty("id").GetString()!));
        }
        var defaults = await s.Call("GET", $"{P}/connectorGroups?$filter=isDefault&$expand=members($select=id)", 200);
        var defaultGroup = defaults?.Status == 200 ? defaults.Json.GetProperty("value")[0].GetProperty("id").GetString()! : "missing";
        await s.Call("GET", $"{P}/connectorGroups/{defaultGroup}?$expand=members", 200);
        await s.Call("GET", $"{P}/connectorGroups/{defaultGroup}/members?$top=999&$count=true", 200);
        foreach (var chunk in many.Chunk(20))
            await s.Batch("delete 20 connectors", 200, chunk.Select((id, i) => ($"{i}", "DELETE", $"/{s.Version}/{P}/connectors/{id}", (string?)null)).ToArray(), inOrder: true);

        // The audit log (docs/API.md): the records of the writes above. Driven once the routes are served.
        if (s.Serves("GET", "auditLogs/directoryAudits"))
        {
            const string A = "auditLogs/directoryAudits";
            var audits = await s.Call("GET", $"{A}?$top=5", 200);
            await s.Call("GET", $"{A}?$filter=activityDisplayName eq 'Add connector Group'&$top=2", 200);
            await s.Call("GET", $"{A}?$filter=startswith(activityDisplayName,'Add')&$top=2", 200);
            await s.Call("GET", $"{A}?$orderby=activityDateTime asc&$top=3", 200);
            await s.Call("GET", $"{A}?$select=activityDateTime,initiatedBy&$top=3", 200);
            await s.Call("GET", $"{A}?$top=0", 400);
            if (audits?.Status == 200 && audits.Json.GetProperty("value").GetArrayLength() > 0)
            {
                var record = audits.Json.GetProperty("value")[0].GetProperty("id").GetString()!;
                await s.Call("GET", $"{A}/{record}", 200);
                await s.Call("GET", $"{A}/{record}?$select=activityDisplayName,targetResources", 200);
            }
            else s.Report.Fail($"{s.Version} GET {A}/{{id}}", "the audit log lists no record of the writes above to read");
            await s.Call("GET", $"{A}/{Guid.NewGuid()}", 404);
        }

        // Removals and deletes (what this run made, leaving the tenant as it was).
        await s.Call("DELETE", $"{P}/connectorGroups/{g1}/members/{c2}/$ref", 204);
        await s.Call("DELETE", $"{P}/connectorGroups/{g1}/members/$ref?$id={Uri.EscapeDataString(connectorUrl(c1))}", 204);
        await s.Call("POST", $"{P}/connectors/{c2}/memberOf/$ref", 201, Json(new Dictionary<string, string> { ["@odata.id"] = groupUrl(g2) }));
        await s.Call("DELETE", $"{P}/connectors/{c2}/memberOf/{g2}/$ref", 204);
        await s.Call("POST", $"{P}/connectors/{c2}/memberOf/$ref", 201, Json(new Dictionary<string, string> { ["@odata.id"] = groupUrl(g2) }));
        await s.Call("DELETE", $"{P}/connectors/{c2}/memberOf/$ref?$id={Uri.EscapeDataString(groupUrl(g2))}", 204);
        await s.Call("DELETE", $"applications/{app}/connectorGroup/$ref", 204);
        foreach (var c in new[] { c1, c2, c3 }) await s.Call("DELETE", $"{P}/connectors/{c}", 204);
        var left = await s.Call("GET", $"{P}/connectorGroups?$filter=startswith(name,'{tag}')", 200, read: false);
        if (left?.Status == 200)
            foreach (var g in left.Json.GetProperty("value").EnumerateArray())
                await s.Call("DELETE", $"{P}/connectorGroups/{g.GetProperty("id").GetString()}", 204, read: false);
    }
}
