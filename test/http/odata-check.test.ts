/**
 * tools/odata-check against the service on the local host: Microsoft's OData reader (ODataMessageReader with
 * every validation) reads each kind of answer of both versions against the service's $metadata and against
 * Graph's published beta metadata, ODataUriParser parses every URL handed out, EdmLib validates $metadata and
 * Microsoft.OpenApi reads docs/openapi.json. Any failed check fails this test. Needs dotnet (CI=true: required).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOdataCheck } from '../../src/local/odata-check.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { otherTenant, TEST_TENANT, tokenFor } from '../support/tokens.js';

const hasDotnet = (() => {
  try {
    execFileSync('dotnet', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const ci = process.env.CI === 'true';
const runs = hasDotnet || ci;

let api: TestApp | undefined;
beforeAll(async () => {
  if (runs) api = await startTestApp();
});
afterAll(async () => api?.close());

if (!runs) console.warn('tools/odata-check: skipped-for-lack-of-tool: dotnet');
describe(runs ? 'tools/odata-check' : 'tools/odata-check: skipped-for-lack-of-tool: dotnet', () => {
  it.runIf(runs)('reads every answer of both versions with Microsoft.OData.Core against both models and finds nothing', { timeout: 600_000 }, async () => {
    // Under CI=true a missing dotnet fails here rather than passing unseen.
    const tenant = otherTenant(TEST_TENANT);
    const { status, output } = await runOdataCheck(api!.url, { token: await tokenFor(tenant), readToken: await tokenFor(tenant, 'Directory.Read.All') });
    const failed = output.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failed).toEqual([]);
    expect(status, output.slice(-2000)).toBe(0);
    // It did read: both versions, every kind of answer, every route (a run that reads nothing cannot pass).
    expect(output).toMatch(/^ok {3}beta \$metadata: EdmLib's validation rules find no error/m);
    expect(output).toMatch(/^ok {3}v1\.0 POST \$batch .*read against Graph's beta metadata$/m);
    expect(output).toMatch(/^ok {3}docs\/openapi\.json: Microsoft\.OpenApi reads it/m);
    expect(output).not.toMatch(/no request in Samples\.cs drives/);
    expect(Number(/^(\d+) passed, 0 failed$/m.exec(output)?.[1])).toBeGreaterThan(1000);
  });
});
