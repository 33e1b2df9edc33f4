/**
 * connectors beyond the seeds: list, get, PATCH, DELETE, memberOf and $count, through the local Functions
 * host over a fresh Cosmos container (docs/API.md, "Routes", "Resources", "Membership and assignment").
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE, expectError, readDoc, startTestApp, tenantDocs, type TestApp } from '../support/app.js';

const P = PROFILE;
const CONNECTORS = `${P}/connectors`;
const GROUPS = `${P}/connectorGroups`;

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

interface Connector {
  id: string;
  machineName: string;
  externalIp: string;
  status: string;
  version: string;
  '@odata.etag': string;
}

const membersCount = async (tenant: string, groupId: string) => {
  const r = await t.call('GET', `${GROUPS}/${groupId}/members/$count`, { tenant });
  expect(r.status, r.text).toBe(200);
  return Number(r.text);
};

describe('GET connectors', () => {
  it("lists the tenant's connectors, and nothing for a tenant that has none", async () => {
    const tenant = randomUUID();
    const empty = await t.call('GET', CONNECTORS, { tenant });
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body).toEqual({
      '@odata.context': `${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectors`,
      value: [],
    });

    const a = await t.createConnector(tenant, { machineName: 'a.contoso.com' });
    const b = await t.createConnector(tenant, {
      machineName: 'b.contoso.com',
      status: 'inactive',
      version: '1.5.3437.0',
      externalIp: '2001:db8::1',
    });
    await t.createConnector(randomUUID()); // another tenant's
    const r = await t.call('GET', CONNECTORS, { tenant });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries((r.body.value as Connector[]).map((c) => [c.id, c]));
    expect(r.body.value).toHaveLength(2);
    expect(byId[a.id]).toEqual({ id: a.id, machineName: 'a.contoso.com', externalIp: '10.1.2.3', status: 'active', version: '' });
    expect(byId[b.id]).toEqual({
      id: b.id,
      machineName: 'b.contoso.com',
      externalIp: '2001:db8::1',
      status: 'inactive',
      version: '1.5.3437.0',
    });
  });
});

describe('GET connectors/{id}', () => {
  it('returns the connector with an ETag header equal to @odata.etag', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const r = await t.call('GET', `${CONNECTORS}/${c.id}`, { tenant });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      '@odata.context': `${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectors/$entity`,
      id: c.id,
      machineName: 'conn1.contoso.com',
      externalIp: '10.1.2.3',
      status: 'active',
      version: '',
    });
    expect(r.headers.get('etag')).toBeTruthy();
    expect(r.body['@odata.etag']).toBe(r.headers.get('etag'));
    const v1 = await t.call('GET', `/v1.0/onPremisesPublishingProfiles/APPLICATIONPROXY/connectors/${c.id}`, { tenant });
    expect(v1.status, v1.text).toBe(200);
    expect(v1.body.id).toBe(c.id);
  });

  it('answers 404 for a malformed id, an unknown id, another profile and another tenant', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    for (const path of [
      `${CONNECTORS}/123`,
      `${CONNECTORS}/${randomUUID()}`,
      `/beta/onPremisesPublishingProfiles/other/connectors/${c.id}`,
    ]) {
      expectError(await t.call('GET', path, { tenant }), 404, 'Request_ResourceNotFound');
    }
    expectError(await t.call('GET', `${CONNECTORS}/${c.id}`, { tenant: randomUUID() }), 404, 'Request_ResourceNotFound');
  });
});

describe('PATCH connectors/{id}', () => {
  it('updates status, version, externalIp and machineName: 200 with the connector, stored', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const changes: [Record<string, string>, Partial<Connector>][] = [
      [{ status: 'inactive' }, { status: 'inactive' }],
      [{ version: '1.5.3437.0' }, { version: '1.5.3437.0' }],
      [{ externalIp: '2001:db8::7' }, { externalIp: '2001:db8::7' }],
      [{ machineName: 'edge2.fabrikam.com' }, { machineName: 'edge2.fabrikam.com' }],
      [
        { status: 'active', externalIp: '198.51.100.1' },
        { status: 'active', externalIp: '198.51.100.1' },
      ],
    ];
    let etag = c['@odata.etag'];
    for (const [body, expected] of changes) {
      const r = await t.call('PATCH', `${CONNECTORS}/${c.id}`, { tenant, body });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ id: c.id, ...expected });
      expect(r.headers.get('etag')).toBe(r.body['@odata.etag']);
      expect(r.body['@odata.etag']).not.toBe(etag);
      etag = r.body['@odata.etag'];
    }
    const stored = await readDoc(t.container, tenant, c.id);
    expect(stored).toMatchObject({
      machineName: 'edge2.fabrikam.com',
      externalIp: '198.51.100.1',
      status: 'active',
      version: '1.5.3437.0',
    });
    const read = await t.call('GET', `${CONNECTORS}/${c.id}`, { tenant });
    expect(read.body).toMatchObject({
      machineName: 'edge2.fabrikam.com',
      externalIp: '198.51.100.1',
      status: 'active',
      version: '1.5.3437.0',
    });
  });

  it('refuses bad values with 400 naming the property, and changes nothing', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const cases: [Record<string, unknown>, string][] = [
      [{ status: 'running' }, 'status'],
      [{ status: true }, 'status'],
      [{ version: 'latest' }, 'version'],
      [{ version: 1.5 }, 'version'],
      [{ externalIp: '300.1.2.3' }, 'externalIp'],
      [{ externalIp: 'conn1.contoso.com' }, 'externalIp'],
      [{ machineName: 'not a host!' }, 'machineName'],
      [{ machineName: '' }, 'machineName'],
      [{ machineName: null }, 'machineName'],
      [{ id: randomUUID() }, 'id'],
      [{ connectorGroup: 'x' }, 'connectorGroup'],
      [{ '@odata.type': '#microsoft.graph.connectorGroup' }, '@odata.type'],
    ];
    const before = await readDoc(t.container, tenant, c.id);
    for (const [body, property] of cases) {
      expectError(await t.call('PATCH', `${CONNECTORS}/${c.id}`, { tenant, body }), 400, 'Request_BadRequest', property);
    }
    expect(await readDoc(t.container, tenant, c.id)).toEqual(before);
  });

  it('return=minimal gives 204; a stale If-Match gives 412; an unknown connector 404', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const minimal = await t.call('PATCH', `${CONNECTORS}/${c.id}`, {
      tenant,
      body: { version: '1.0' },
      headers: { prefer: 'return=minimal' },
    });
    expect(minimal.status, minimal.text).toBe(204);
    expect(minimal.text).toBe('');
    expect(minimal.headers.get('preference-applied')).toBe('return=minimal');
    expectError(
      await t.call('PATCH', `${CONNECTORS}/${c.id}`, { tenant, body: { version: '2.0' }, headers: { 'if-match': c['@odata.etag'] } }),
      412,
      'preconditionFailed',
    );
    expect((await readDoc(t.container, tenant, c.id))?.version).toBe('1.0');
    const current = (await t.call('GET', `${CONNECTORS}/${c.id}`, { tenant })).headers.get('etag')!;
    const ok = await t.call('PATCH', `${CONNECTORS}/${c.id}`, { tenant, body: { version: '2.0' }, headers: { 'if-match': current } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.version).toBe('2.0');
    expectError(
      await t.call('PATCH', `${CONNECTORS}/${randomUUID()}`, { tenant, body: { version: '2.0' } }),
      404,
      'Request_ResourceNotFound',
    );
  });
});

describe('DELETE connectors/{id}', () => {
  it('deletes the connector and its membership edge; the group counts drop', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const [c1, c2] = [await t.createConnector(tenant), await t.createConnector(tenant)];
    await t.moveConnector(tenant, c1!.id, g.id);
    await t.moveConnector(tenant, c2!.id, g.id);
    expect(await membersCount(tenant, g.id)).toBe(2);
    expect(await readDoc(t.container, tenant, `${c1!.id}.memberOf`)).toMatchObject({ connectorId: c1!.id, groupId: g.id });

    const r = await t.call('DELETE', `${CONNECTORS}/${c1!.id}`, { tenant });
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');

    expect(await membersCount(tenant, g.id)).toBe(1);
    expect((await readDoc(t.container, tenant, g.id))?.memberCount).toBe(1);
    const members = await t.call('GET', `${GROUPS}/${g.id}/members`, { tenant });
    expect(members.body.value.map((c: Connector) => c.id)).toEqual([c2!.id]);
    expect(await readDoc(t.container, tenant, c1!.id)).toBeUndefined();
    expect(await readDoc(t.container, tenant, `${c1!.id}.memberOf`)).toBeUndefined();
    // Only the audit records still name it: of its registration, its move and its deletion.
    const docs = await tenantDocs(t.container, tenant);
    expect(JSON.stringify(docs.filter((d) => d.type !== 'directoryAudit'))).not.toContain(c1!.id);
    const named = docs.filter((d) => d.type === 'directoryAudit' && JSON.stringify(d).includes(c1!.id)).map((d) => d.activityDisplayName);
    expect(named).toEqual(expect.arrayContaining(['Register connector', 'Add a Connector to Connector Group', 'Delete connector']));
    expect(named).toHaveLength(3);

    expectError(await t.call('GET', `${CONNECTORS}/${c1!.id}`, { tenant }), 404, 'Request_ResourceNotFound');
    expectError(await t.call('DELETE', `${CONNECTORS}/${c1!.id}`, { tenant }), 404, 'Request_ResourceNotFound');
    const count = await t.call('GET', `${CONNECTORS}/$count`, { tenant });
    expect(count.text).toBe('1');
  });

  it('a connector in the Default group leaves Default', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const dflt = (await t.call('GET', `${CONNECTORS}/${c.id}/memberOf`, { tenant })).body.value[0];
    expect(await membersCount(tenant, dflt.id)).toBe(1);
    expect((await t.call('DELETE', `${CONNECTORS}/${c.id}`, { tenant })).status).toBe(204);
    expect(await membersCount(tenant, dflt.id)).toBe(0);
    expect((await readDoc(t.container, tenant, dflt.id))?.memberCount).toBe(0);
  });

  it('honours If-Match: stale 412 (connector kept), current 204; another tenant gets 404', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const changed = await t.call('PATCH', `${CONNECTORS}/${c.id}`, { tenant, body: { status: 'inactive' } });
    expectError(
      await t.call('DELETE', `${CONNECTORS}/${c.id}`, { tenant, headers: { 'if-match': c['@odata.etag'] } }),
      412,
      'preconditionFailed',
    );
    expectError(await t.call('DELETE', `${CONNECTORS}/${c.id}`, { tenant: randomUUID() }), 404, 'Request_ResourceNotFound');
    expect(await readDoc(t.container, tenant, c.id)).toBeDefined();
    expect(await readDoc(t.container, tenant, `${c.id}.memberOf`)).toBeDefined();
    const ok = await t.call('DELETE', `${CONNECTORS}/${c.id}`, { tenant, headers: { 'if-match': changed.headers.get('etag')! } });
    expect(ok.status, ok.text).toBe(204);
    expect(await readDoc(t.container, tenant, c.id)).toBeUndefined();
  });
});

describe('GET connectors/{id}/memberOf', () => {
  it('is a one-element collection: Default first, then the group it moved to', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const first = await t.call('GET', `${CONNECTORS}/${c.id}/memberOf`, { tenant });
    expect(first.status, first.text).toBe(200);
    expect(first.body['@odata.context']).toBe(
      `${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectors('${c.id}')/memberOf`,
    );
    expect(first.body.value).toEqual([
      { id: expect.any(String), name: 'Default', connectorGroupType: 'applicationProxy', isDefault: true, region: null },
    ]);

    const g = await t.createGroup(tenant);
    await t.moveConnector(tenant, c.id, g.id);
    const after = await t.call('GET', `${CONNECTORS}/${c.id}/memberOf`, { tenant });
    expect(after.body.value).toHaveLength(1);
    expect(after.body.value[0]).toMatchObject({ id: g.id, isDefault: false });

    expectError(await t.call('GET', `${CONNECTORS}/${randomUUID()}/memberOf`, { tenant }), 404, 'Request_ResourceNotFound');
    expectError(await t.call('GET', `${CONNECTORS}/${c.id}/memberOf`, { tenant: randomUUID() }), 404, 'Request_ResourceNotFound');
  });
});

describe('GET connectors/$count', () => {
  it("is the number of the tenant's connectors as text/plain, narrowed by $filter", async () => {
    const tenant = randomUUID();
    const zero = await t.call('GET', `${CONNECTORS}/$count`, { tenant });
    expect(zero.status, zero.text).toBe(200);
    expect(zero.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(zero.text).toBe('0');
    await t.createConnector(tenant);
    await t.createConnector(tenant, { status: 'inactive' });
    await t.createConnector(tenant, { status: 'inactive' });
    expect((await t.call('GET', `${CONNECTORS}/$count`, { tenant })).text).toBe('3');
    expect((await t.call('GET', `${CONNECTORS}/$count?$filter=status eq 'inactive'`, { tenant })).text).toBe('2');
    expect((await t.call('GET', `/v1.0/onPremisesPublishingProfiles/applicationProxy/connectors/$count`, { tenant })).text).toBe('3');
    expect((await t.call('GET', `${CONNECTORS}/$count`, { tenant: randomUUID() })).text).toBe('0');
  });
});
