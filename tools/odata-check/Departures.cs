using System.Text.Json.Nodes;

namespace OdataCheck;

/// <summary>
/// Graph's own departures from OData, the only ones this check lets through (docs/API.md, "Graph's own departures
/// from OData"). Departure 2, NavigationRestrictions/Referenceable, is in Models.IsReferenceableDeparture.
/// </summary>
public static class Departures
{
    /// <summary>
    /// Departure 1: Graph spells the error's `innererror` as `innerError`, which ODataLib's error reader refuses as
    /// an unknown property of the error. The answer is read with that one name put back; nothing else is changed.
    /// </summary>
    public static Answer InnerErrorAsOData(Answer answer)
    {
        if (answer.Body.Length == 0 || JsonNode.Parse(answer.Body) is not JsonObject { } root || root["error"] is not JsonObject error) return answer;
        if (!error.ContainsKey("innerError") || error.ContainsKey("innererror")) return answer;
        var renamed = new JsonObject();
        foreach (var (name, value) in error.ToList())
        {
            error.Remove(name);
            renamed[name == "innerError" ? "innererror" : name] = value;
        }
        root["error"] = renamed;
        return answer with { Body = System.Text.Encoding.UTF8.GetBytes(root.ToJsonString()) };
    }
}
