import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, runSmoke } from '../../src/local/smoke.js';
import { PROFILE, startTestApp, tenantDocs, type TestApp } from '../support/app.js';
import { otherTenant, TEST_TENANT, tokenFor } from '../support/tokens.js';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
});
afterAll(async () => {
  await api?.close();
});

/**
 * The tenant's documents other than its Default group (which the first connector creates, and stays) and the
 * audit records of the smoke's changes (which stay until their retention ends).
 */
const leftovers = async (tenant: string) =>
  (await tenantDocs(api.container, tenant)).filter(
    (d) => !(d.type === 'connectorGroup' && d.isDefault === true) && d.type !== 'directoryAudit',
  );

describe('npm run smoke', () => {
  it('creates, moves, lists and deletes against the local host, printing each step and leaving nothing behind', async () => {
    const tenant = otherTenant(TEST_TENANT);
    const lines: string[] = [];
    const code = await main([api.url], { TOKEN: await tokenFor(tenant) }, (line) => lines.push(line));
    expect(code, lines.join('\n')).toBe(0);
    expect(
      lines.map((l) =>
        l
          .replace(/ \(\d+ ms\)$/, '')
          .replace(/smoke-[0-9a-f]{8}/g, 'smoke-x')
          .replace(/[0-9a-f-]{36}/g, 'ID'),
      ),
    ).toEqual([
      'ok   create connector group smoke-x: POST /connectorGroups -> 201',
      'ok   create connector smoke-x.example.com: POST /connectors -> 201',
      'ok   move the connector into the group: POST /connectors/ID/memberOf/$ref -> 201',
      "ok   list the group's members: GET /connectorGroups/ID/members -> 200",
      'ok   delete the connector: DELETE /connectors/ID -> 204',
      'ok   delete the connector group: DELETE /connectorGroups/ID -> 204',
      'smoke passed',
    ]);
    expect(await leftovers(tenant)).toEqual([]);
  });

  it('accepts a base URL that names the version', async () => {
    const tenant = otherTenant(otherTenant(TEST_TENANT));
    const lines: string[] = [];
    expect(await runSmoke({ baseUrl: `${api.url}/v1.0/`, token: await tokenFor(tenant), log: (l) => lines.push(l) })).toBe(true);
    expect(await leftovers(tenant)).toEqual([]);
  });

  it('reports a failed step, exits 1 and still deletes what it created', async () => {
    const tenant = otherTenant(TEST_TENANT);
    const lines: string[] = [];
    // The members list fails (as a broken deployment might); everything else goes to the real service.
    const failing: typeof fetch = (input, init) =>
      String(input).endsWith('/members')
        ? Promise.resolve(new Response('{"error":{"code":"generalException"}}', { status: 500 }))
        : fetch(input, init);
    const passed = await runSmoke({ baseUrl: api.url, token: await tokenFor(tenant), log: (l) => lines.push(l), fetch: failing });
    expect(passed).toBe(false);
    expect(lines.join('\n')).toMatch(/FAIL list the group's members: GET \/connectorGroups\/.+\/members -> 500/);
    expect(lines.filter((l) => l.startsWith('ok   clean up'))).toHaveLength(2);
    expect(lines.at(-1)).toBe('smoke FAILED');
    expect(await leftovers(tenant)).toEqual([]);
  });

  it('fails at the first step with a read-only token, leaving nothing', async () => {
    const lines: string[] = [];
    const code = await main([api.url], { TOKEN: await tokenFor(TEST_TENANT, 'Directory.Read.All') }, (l) => lines.push(l));
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^FAIL create connector group smoke-[0-9a-f]{8}: POST \/connectorGroups -> 403/);
    const groups = await api.call('GET', `${PROFILE}/connectorGroups?$filter=startswith(name,'smoke-')`);
    expect(groups.body.value).toEqual([]);
  });

  it('refuses to run without a base URL or a token (exit 2)', async () => {
    const lines: string[] = [];
    expect(await main([], { TOKEN: 'x' }, (l) => lines.push(l))).toBe(2);
    expect(await main(['not-a-url'], { TOKEN: 'x' }, (l) => lines.push(l))).toBe(2);
    expect(await main([api.url], {}, (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('TOKEN');
  });
});
