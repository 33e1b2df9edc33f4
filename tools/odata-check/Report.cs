namespace OdataCheck;

/// <summary>One line per check: "ok   ..." or "FAIL ...", then a summary; the exit code says whether any failed.</summary>
public sealed class Report
{
    private int passed;
    private int failed;

    public void Ok(string check) { passed++; Console.WriteLine($"ok   {check}"); }

    public void Fail(string check, string why) { failed++; Console.WriteLine($"FAIL {check}: {why}"); }

    /// <summary>Runs a check; an exception (what Microsoft's reader throws on a payload it refuses) is its failure.</summary>
    public bool Check(string check, Action run)
    {
        try { run(); Ok(check); return true; }
        catch (Exception e) { Fail(check, Describe(e)); return false; }
    }

    public static string Describe(Exception e) =>
        e.InnerException is null ? $"{e.GetType().Name}: {e.Message}" : $"{e.GetType().Name}: {e.Message} ({Describe(e.InnerException)})";

    public int Finish(TimeSpan took)
    {
        Console.WriteLine($"{passed} passed, {failed} failed");
        Console.WriteLine($"odata-check {(failed == 0 ? "passed" : "FAILED")} in {took.TotalSeconds:F1} s");
        return failed == 0 ? 0 : 1;
    }
}
