/**
 * Every Cosmos failure has a Graph answer, and a write whose answer is lost is settled truthfully: the
 * service runs over a fault-injecting proxy (test/support/fault-proxy.ts) in front of the embedded Cosmos
 * server, and each case checks the answer and what Cosmos really holds (read past the proxy).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultGroupId, membershipId } from '../../src/directory/documents.js';
import { PROFILE, expectRecorded, readDoc, startTestApp, tenantDocs, type Reply, type TestApp } from '../support/app.js';
import { startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy.js';

const DEADLINE_MS = 2000;
let proxy: FaultProxy;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    env: { REQUEST_DEADLINE_MS: String(DEADLINE_MS) },
    through: async (endpoint) => (proxy = await startFaultProxy(endpoint)).endpoint,
  });
});
afterAll(async () => {
  await t?.close();
  await proxy?.close();
});
beforeEach(() => {
  proxy.decide = () => undefined;
  for (const key of Object.keys(proxy.counts)) delete proxy.counts[key];
});

/** Injects `fault` into the first `times` requests that `when` picks. */
function inject(when: (r: ProxiedRequest) => boolean, fault: Fault, times = Infinity) {
  let left = times;
  proxy.decide = (r) => (when(r) && left-- > 0 ? fault : undefined);
}
const writes = (r: ProxiedRequest) => r.write;
const reads = (r: ProxiedRequest) => r.method === 'GET' && /\/docs\//.test(r.path);

function expectRetryable(r: Reply, status: 429 | 503, retryAfter?: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('retry-after'), r.text).toEqual(retryAfter ?? expect.stringMatching(/^[1-9]\d*$/));
  expect(r.body.error.code).toBe(status === 429 ? 'tooManyRequests' : 'serviceUnavailable');
  expect(r.text).not.toMatch(/injected|Request rate|Batch request|ECONN|socket/i);
}

const connectors = async (tenant: string) => (await tenantDocs(t.container, tenant)).filter((d) => d.type === 'connector');

describe('Cosmos failures as Graph answers', () => {
  it('a 429 on every batch (past the SDK retries) is a 429 with Retry-After from x-ms-retry-after-ms; nothing stored', async () => {
    const tenant = randomUUID();
    await t.createGroup(tenant); // Default exists
    inject((r) => r.batch, { kind: 'throttle', retryAfterMs: 300 });
    expectRetryable(
      await t.call('POST', `${PROFILE}/connectors`, { tenant, body: { machineName: 'a.contoso.com', externalIp: '10.0.0.1' } }),
      429,
      '1',
    );
    expect(proxy.counts.throttle).toBe(4); // the first try and the SDK's 3 retries
    expect(await connectors(tenant)).toEqual([]);
  });

  it('a 429 whose wait outlasts the request deadline is still a 429, its Retry-After rounded up', async () => {
    const tenant = randomUUID();
    inject(reads, { kind: 'throttle', retryAfterMs: 2500 });
    expectRetryable(await t.call('GET', `${PROFILE}/connectors/${randomUUID()}`, { tenant }), 429, '3');
  });

  it('503, 410, 408 and 500 on reads and writes are 503 with Retry-After, even when the body is not JSON', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    for (const fault of [
      { kind: 'status', status: 503 },
      { kind: 'status', status: 410 },
      { kind: 'status', status: 408 },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503, raw: '<html>Service Unavailable</html>' },
    ] as Fault[]) {
      inject((r) => r.path.includes('/docs'), fault);
      expectRetryable(await t.call('GET', `${PROFILE}/connectorGroups/${g.id}`, { tenant }), 503);
      expectRetryable(await t.call('PATCH', `${PROFILE}/connectorGroups/${g.id}`, { tenant, body: { name: 'x' } }), 503);
      expectRetryable(await t.call('GET', `${PROFILE}/connectorGroups`, { tenant }), 503);
    }
    proxy.decide = () => undefined;
    expect((await t.call('GET', `${PROFILE}/connectorGroups/${g.id}`, { tenant })).body.name).toBe(g.name);
  });

  it('a request that hangs is answered 503 at its deadline, and a write that never reached Cosmos is not stored', async () => {
    const tenant = randomUUID();
    await t.createGroup(tenant);
    inject(writes, { kind: 'hang' });
    const started = Date.now();
    const r = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { name: 'never' } });
    expectRetryable(r, 503);
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 3000);
    expect((await tenantDocs(t.container, tenant)).filter((d) => d.name === 'never')).toEqual([]);
  });
});

describe('writes whose answer is lost', () => {
  it('a reset before the batch reached Cosmos: resent, one connector, counts right (201)', async () => {
    const tenant = randomUUID();
    inject((r) => r.batch, { kind: 'resetBefore' }, 1);
    const r = await t.call('POST', `${PROFILE}/connectors`, { tenant, body: { machineName: 'a.contoso.com', externalIp: '10.0.0.1' } });
    expect(r.status, r.text).toBe(201);
    expect(proxy.counts.resetBefore).toBe(1);
    expect((await connectors(tenant)).map((c) => c.id)).toEqual([r.body.id]);
    expect(await readDoc(t.container, tenant, defaultGroupId(tenant))).toMatchObject({ memberCount: 1 });
    expect((await expectRecorded(t.container, tenant)).map((record) => record.activityDisplayName)).toEqual(['Register connector']);
  });

  it('a reset after the batch committed: found committed, answered 201 with the connector, not sent twice', async () => {
    const tenant = randomUUID();
    inject((r) => r.batch, { kind: 'resetAfter' }, 1);
    const r = await t.call('POST', `${PROFILE}/connectors`, { tenant, body: { machineName: 'b.contoso.com', externalIp: '10.0.0.2' } });
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get('etag')).toMatch(/^W\//);
    expect(proxy.counts.resetAfter).toBe(1);
    expect((await connectors(tenant)).map((c) => c.id)).toEqual([r.body.id]);
    expect(await readDoc(t.container, tenant, membershipId(r.body.id))).toMatchObject({ groupId: defaultGroupId(tenant) });
    expect(await readDoc(t.container, tenant, defaultGroupId(tenant))).toMatchObject({ memberCount: 1 });
    // Settled from the record's write id as much as the connector's: one record, not two.
    expect((await expectRecorded(t.container, tenant)).map((record) => record.activityDisplayName)).toEqual(['Register connector']);
  });

  it('a reset after a single create, replace or delete committed: each answered as done', async () => {
    const tenant = randomUUID();
    inject(writes, { kind: 'resetAfter' }, 1);
    const made = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { name: 'once' } });
    expect(made.status, made.text).toBe(201);
    inject(writes, { kind: 'resetAfter' }, 1);
    const renamed = await t.call('PATCH', `${PROFILE}/connectorGroups/${made.body.id}`, { tenant, body: { name: 'twice' } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.name).toBe('twice');
    inject(writes, { kind: 'resetAfter' }, 1);
    const gone = await t.call('DELETE', `${PROFILE}/connectorGroups/${made.body.id}`, { tenant });
    expect(gone.status, gone.text).toBe(204);
    expect(proxy.counts.resetAfter).toBe(3);
    expect((await tenantDocs(t.container, tenant)).filter((d) => d.type === 'connectorGroup' && !d.isDefault)).toEqual([]);
    const records = await expectRecorded(t.container, tenant);
    expect(records.map((record) => record.activityDisplayName).sort()).toEqual([
      'Add connector Group',
      'Delete Connector Group',
      'Update Connector Group',
    ]);
  });

  it('a move whose answer is lost after it committed is a success, and the connector is where it was sent', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const g = await t.createGroup(tenant);
    inject((r) => r.batch, { kind: 'resetAfter' }, 1);
    const r = await t.call('POST', `${PROFILE}/connectorGroups/${g.id}/members/$ref`, {
      tenant,
      body: { '@odata.id': `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectors/${c.id}` },
    });
    expect([201, 204], r.text).toContain(r.status);
    expect(proxy.counts.resetAfter).toBe(1);
    expect(await readDoc(t.container, tenant, membershipId(c.id))).toMatchObject({ groupId: g.id });
    expect(await readDoc(t.container, tenant, g.id)).toMatchObject({ memberCount: 1 });
    expect(await readDoc(t.container, tenant, defaultGroupId(tenant))).toMatchObject({ memberCount: 0 });
    const moves = (await expectRecorded(t.container, tenant)).filter(
      (record) => record.activityDisplayName === 'Add a Connector to Connector Group',
    );
    expect(moves).toHaveLength(1);
  });

  it('when the outcome cannot be read back (Cosmos down after the write), 503: the only answer it cannot make true', async () => {
    const tenant = randomUUID();
    await t.createGroup(tenant);
    let wrote = false;
    proxy.decide = (r) => {
      if (r.write && !wrote) {
        wrote = true;
        return { kind: 'resetAfter' };
      }
      return wrote ? { kind: 'status', status: 503 } : undefined;
    };
    expectRetryable(await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { name: 'unknown' } }), 503);
  });
});

describe('client retries of a create', () => {
  const body = { machineName: 'retry.contoso.com', externalIp: '10.0.0.9' };

  it('with the same client-request-id and body find the object made the first time (201, one object)', async () => {
    const tenant = randomUUID();
    const headers = { 'client-request-id': randomUUID() };
    const first = await t.call('POST', `${PROFILE}/connectors`, { tenant, body, headers });
    const again = await t.call('POST', `${PROFILE}/connectors`, { tenant, body, headers });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
    expect((await connectors(tenant)).length).toBe(1);
    expect(await readDoc(t.container, tenant, defaultGroupId(tenant))).toMatchObject({ memberCount: 1 });
    const g1 = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { name: 'once' }, headers });
    const g2 = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { name: 'once' }, headers });
    expect([g1.status, g2.status, g2.body.id]).toEqual([201, 201, g1.body.id]);
    // The older create (seed 001's POST /connectorGroups) is the same create: its retries make one group too.
    const older = { 'client-request-id': randomUUID() };
    const o1 = await t.call('POST', '/beta/connectorGroups', { tenant, body: { name: 'older' }, headers: older });
    const o2 = await t.call('POST', '/beta/connectorGroups', { tenant, body: { name: 'older' }, headers: older });
    expect([o1.status, o2.status, o2.body.id]).toEqual([201, 201, o1.body.id]);
    const groups = await t.call('GET', `${PROFILE}/connectorGroups`, { tenant });
    expect(groups.body.value.filter((g: { name: string }) => g.name === 'older')).toHaveLength(1);
  });

  it('after an answer lost to a reset: the retry is a 201 for the same object', async () => {
    const tenant = randomUUID();
    const headers = { 'client-request-id': randomUUID() };
    // The answer is lost and cannot be read back: the caller hears 503 although the connector was made.
    let wrote = false;
    proxy.decide = (r) => {
      if (r.batch && !wrote) {
        wrote = true;
        return { kind: 'resetAfter' };
      }
      return wrote && r.method === 'GET' ? { kind: 'status', status: 503 } : undefined;
    };
    expectRetryable(await t.call('POST', `${PROFILE}/connectors`, { tenant, body, headers }), 503);
    proxy.decide = () => undefined;
    const retry = await t.call('POST', `${PROFILE}/connectors`, { tenant, body, headers });
    expect(retry.status, retry.text).toBe(201);
    expect((await connectors(tenant)).map((c) => c.id)).toEqual([retry.body.id]);
  });

  it('are distinct objects when the body, the client-request-id or the batch item differs, or no id is sent', async () => {
    const tenant = randomUUID();
    const id = randomUUID();
    await t.call('POST', `${PROFILE}/connectors`, { tenant, body, headers: { 'client-request-id': id } });
    await t.call('POST', `${PROFILE}/connectors`, {
      tenant,
      body: { ...body, externalIp: '10.0.0.10' },
      headers: { 'client-request-id': id },
    });
    await t.call('POST', `${PROFILE}/connectors`, { tenant, body, headers: { 'client-request-id': randomUUID() } });
    await t.call('POST', `${PROFILE}/connectors`, { tenant, body });
    await t.call('POST', `${PROFILE}/connectors`, { tenant, body });
    const item = (n: string) => ({ id: n, method: 'POST', url: '/onPremisesPublishingProfiles/applicationProxy/connectors', body });
    const batch = await t.call('POST', '/beta/$batch', {
      tenant,
      body: { requests: [item('1'), item('2')] },
      headers: { 'client-request-id': id },
    });
    expect(batch.body.responses.map((r: { status: number }) => r.status)).toEqual([201, 201]);
    expect((await connectors(tenant)).length).toBe(7);
  });
});
