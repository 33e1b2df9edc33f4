/**
 * tools/odata-check against the service on the local host: Microsoft's OData reader (ODataMessageReader with
 * every validation) reads each kind of answer of both versions against the service's $metadata and against
 * Graph's published beta metadata, ODataUriParser parses every URL handed out, EdmLib validates $metadata and
 * Microsoft.OpenApi reads docs/openapi.json. Any failed check fails this test. Needs dotnet (CI=true: required).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOdataCheck } from '../../src/local/odata-check.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { otherTenant, TEST_TENANT, tokenFor } from '../support/tokens.js';
import { requireTool } from '../support/tools.js';

describe('tools/odata-check', () => {
  if (!requireTool('dotnet', "tools/odata-check, Microsoft's OData reader over every answer")) return;

  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(async () => api?.close());

  it(
    'reads every answer of both versions with Microsoft.OData.Core against both models and finds nothing',
    { timeout: 600_000 },
    async () => {
      const tenant = otherTenant(TEST_TENANT);
      // An Application Administrator's token that may also read the audit log (Graph asks AuditLog.Read.All there).
      const token = await tokenFor(tenant, 'Directory.ReadWrite.All AuditLog.Read.All');
      const { status, output } = await runOdataCheck(api.url, { token, readToken: await tokenFor(tenant, 'Directory.Read.All') });
      const failed = output.split('\n').filter((line) => line.startsWith('FAIL'));
      expect(failed).toEqual([]);
      expect(status, output.slice(-2000)).toBe(0);
      // It did read: both versions, every kind of answer, every route (a run that reads nothing cannot pass).
      expect(output).toMatch(/^ok {3}beta \$metadata: EdmLib's validation rules find no error/m);
      expect(output).toMatch(/^ok {3}v1\.0 POST \$batch .*read against Graph's beta metadata$/m);
      expect(output).toMatch(/^ok {3}v1\.0 GET .*members@odata\.nextLink .*read against Graph's beta metadata$/m);
      expect(output).toMatch(/^ok {3}docs\/openapi\.json: Microsoft\.OpenApi reads it/m);
      expect(output).not.toMatch(/no request in Samples\.cs drives/);
      expect(Number(/^(\d+) passed, 0 failed$/m.exec(output)?.[1])).toBeGreaterThan(1500);
    },
  );
});
