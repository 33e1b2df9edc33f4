using System.Xml;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.Edm.Validation;

namespace OdataCheck;

public static class Models
{
    /// <summary>
    /// Graph's departure 2 (docs/API.md, "Graph's own departures from OData"): Graph's metadata, and the service's
    /// after it, annotate navigation properties with Capabilities.NavigationRestrictions/Referenceable, a property
    /// the copy of the Capabilities vocabulary in EdmLib does not have. EdmLib's rules report it; only that is let through.
    /// </summary>
    public static bool IsReferenceableDeparture(EdmError error) => error.ErrorMessage.Contains("Referenceable", StringComparison.Ordinal);

    public static IEdmModel? Parse(string xml, string what, Report report)
    {
        IEdmModel? model = null;
        report.Check($"{what}: CsdlReader parses it", () =>
        {
            using var reader = XmlReader.Create(new StringReader(xml));
            if (!CsdlReader.TryParse(reader, out model, out var errors))
                throw new InvalidDataException(string.Join("; ", errors.Select(e => $"{e.ErrorCode} at {e.ErrorLocation}: {e.ErrorMessage}")));
        });
        return model;
    }

    public static void Validate(IEdmModel model, string what, Report report)
    {
        model.Validate(out var errors);
        var departures = errors.Where(IsReferenceableDeparture).ToList();
        var rest = errors.Where(e => !IsReferenceableDeparture(e)).ToList();
        if (rest.Count == 0)
            report.Ok($"{what}: EdmLib's validation rules find no error ({departures.Count} on NavigationRestrictions/Referenceable, Graph's departure 2)");
        else
            report.Fail($"{what}: EdmLib's validation rules", string.Join("; ", rest.Select(e => $"{e.ErrorCode} at {e.ErrorLocation}: {e.ErrorMessage}")));
    }

    /// <summary>
    /// Microsoft's published beta metadata, the subset vendored in test/fixtures/graph-beta/ (see its PROVENANCE.md).
    /// It is parsed, not validated: as a subset it names types it leaves out.
    /// </summary>
    public static IEdmModel? LoadGraph(string path, Report report) =>
        Parse(File.ReadAllText(path), $"Graph's published beta metadata ({Path.GetFileName(path)})", report);
}
