import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGroupId, membershipId } from '../../src/directory/documents.js';
import { PROFILE, expectConsistent, readDoc, startTestApp, tenantDocs, type TestApp } from '../support/app.js';

/**
 * The rules of membership (docs/API.md, "Membership and assignment") on the routes of the seeds, with the
 * documents read back from Cosmos.
 */
let t: TestApp;
beforeAll(async () => (t = await startTestApp()));
afterAll(async () => t?.close());

const groupRef = (id: string) => ({
  '@odata.id': `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${id}`,
});

/** A tenant with one connector moved to a new group, and its documents as they then are. */
async function connectorInItsOwnGroup() {
  const tenant = randomUUID();
  const g = (await t.createGroup(tenant)).id;
  const c = (await t.createConnector(tenant)).id;
  await t.moveConnector(tenant, c, g);
  return { tenant, g, c, before: await tenantDocs(t.container, tenant) };
}

describe('adding is moving', () => {
  it('moves a connector between groups through memberOf/$ref and members/$ref, keeping one edge', async () => {
    const tenant = randomUUID();
    const [a, b] = [(await t.createGroup(tenant, { name: 'A' })).id, (await t.createGroup(tenant, { name: 'B' })).id];
    const c = (await t.createConnector(tenant)).id;
    expect((await t.call('POST', `${PROFILE}/connectors/${c}/memberOf/$ref`, { tenant, body: groupRef(a) })).status).toBe(201);
    const viaGroup = await t.call('POST', `${PROFILE}/connectorGroups/${b}/members/$ref`, {
      tenant,
      body: { '@odata.id': `${PROFILE}/connectors/${c}` },
    });
    expect(viaGroup.status, viaGroup.text).toBe(204);
    expect(await readDoc(t.container, tenant, membershipId(c))).toMatchObject({ groupId: b });
    const docs = await expectConsistent(t.container, tenant);
    expect(docs.find((d) => d.id === a)).toMatchObject({ memberCount: 0 });
    expect(docs.find((d) => d.id === b)).toMatchObject({ memberCount: 1 });
  });

  it('refuses adding a connector to the group it is in (400 "already exist") and changes nothing', async () => {
    const { tenant, g, c, before } = await connectorInItsOwnGroup();
    for (const [url, body] of [
      [`${PROFILE}/connectors/${c}/memberOf/$ref`, groupRef(g)],
      [`${PROFILE}/connectorGroups/${g}/members/$ref`, { '@odata.id': `${PROFILE}/connectors/${c}` }],
    ] as const) {
      const reply = await t.call('POST', url, { tenant, body });
      expect(reply.status, url).toBe(400);
      expect(reply.body.error.code).toBe('Request_BadRequest');
      expect(reply.body.error.message).toContain('already exist');
    }
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
  });

  it("refuses a move through an application's group the connector is not in (404) and changes nothing", async () => {
    const { tenant, c, before } = await connectorInItsOwnGroup();
    // The application is unassigned, so its group is Default, and the connector is not there.
    const url = `/beta/applications/${randomUUID()}/connectorGroup/members/${c}/memberOf/$ref`;
    const reply = await t.call('POST', url, { tenant, body: { id: defaultGroupId(tenant) } });
    expect(reply.status, reply.text).toBe(404);
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
  });

  it('refuses a move into the Default group the connector is already in', async () => {
    const tenant = randomUUID();
    const c = (await t.createConnector(tenant)).id;
    const reply = await t.call('POST', `${PROFILE}/connectors/${c}/memberOf/$ref`, { tenant, body: groupRef(defaultGroupId(tenant)) });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toContain('already exist');
  });
});

describe('@odata.id', () => {
  let tenant: string;
  let c: string;
  let g: string;
  beforeAll(async () => {
    tenant = randomUUID();
    g = (await t.createGroup(tenant)).id;
    c = (await t.createConnector(tenant)).id;
  });

  it.each([
    (id: string) => `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${id}`,
    (id: string) => `https://graph.microsoft.com/onPremisesPublishingProfiles/applicationproxy/connectorGroups/${id}`,
    (id: string) => `http://127.0.0.1:7071/v1.0/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${id}`,
    (id: string) => `/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${id}`,
    (id: string) => `onPremisesPublishingProfiles/applicationProxy/connectorGroups/${id}`,
    (id: string) => `https://graph.microsoft.com/beta/onPremisesPublishingProfiles('applicationProxy')/connectorGroups('${id}')`,
    (id: string) => `https://graph.microsoft.com/beta/connectorGroups/${id.toUpperCase()}`,
  ])('accepts form %#', async (form) => {
    const target = (await readDoc(t.container, tenant, membershipId(c)))!.groupId === g ? defaultGroupId(tenant) : g;
    const reply = await t.call('POST', `${PROFILE}/connectors/${c}/memberOf/$ref`, { tenant, body: { '@odata.id': form(target) } });
    expect(reply.status).toBe(201);
    expect(reply.body.id).toBe(target);
    expect(await readDoc(t.container, tenant, membershipId(c))).toMatchObject({ groupId: target });
  });

  it.each<[string, () => string, number]>([
    ['the wrong type', () => `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectors/${c}`, 400],
    ['not a Graph URL', () => 'hello world', 400],
    ['another path', () => `https://graph.microsoft.com/beta/users/${g}`, 400],
    ['a broken URL', () => 'https://[broken/x', 400],
    ['a missing group', () => `${PROFILE}/connectorGroups/${randomUUID()}`, 404],
    ['a malformed id', () => `${PROFILE}/connectorGroups/not-a-guid`, 404],
    ['another profile', () => `/beta/onPremisesPublishingProfiles/provisioning/connectorGroups/${g}`, 404],
  ])('refuses %s and writes nothing', async (_name, value, status) => {
    const before = await tenantDocs(t.container, tenant);
    const reply = await t.call('POST', `${PROFILE}/connectors/${c}/memberOf/$ref`, { tenant, body: { '@odata.id': value() } });
    expect(reply.status).toBe(status);
    expect(reply.body.error.code).toBe(status === 400 ? 'Request_BadRequest' : 'Request_ResourceNotFound');
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
  });

  it('answers 404 for a connector that does not exist or a malformed connector id', async () => {
    for (const id of [randomUUID(), 'nope', '..%2F..']) {
      const reply = await t.call('POST', `${PROFILE}/connectors/${id}/memberOf/$ref`, { tenant, body: groupRef(g) });
      expect(reply.status).toBe(404);
    }
  });
});

describe('client-supplied ids', () => {
  it('creates with the given id and answers 409 on reuse, writing nothing more', async () => {
    const tenant = randomUUID();
    const id = randomUUID();
    expect((await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { id, name: 'first' } })).status).toBe(201);
    const again = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { id, name: 'retry' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(await readDoc(t.container, tenant, id)).toMatchObject({ name: 'first' });

    const cid = randomUUID();
    const body = { id: cid, machineName: 'a.contoso.com', externalIp: '192.0.2.1' };
    expect((await t.call('POST', `${PROFILE}/connectors`, { tenant, body })).status).toBe(201);
    const before = await tenantDocs(t.container, tenant);
    const dup = await t.call('POST', `${PROFILE}/connectors`, { tenant, body });
    expect(dup.status).toBe(409);
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
    await expectConsistent(t.container, tenant);
  });

  it('keeps tenants apart: the same id in two tenants is two objects', async () => {
    const id = randomUUID();
    const [t1, t2] = [randomUUID(), randomUUID()];
    expect((await t.call('POST', `${PROFILE}/connectorGroups`, { tenant: t1, body: { id, name: 'one' } })).status).toBe(201);
    expect((await t.call('POST', `${PROFILE}/connectorGroups`, { tenant: t2, body: { id, name: 'two' } })).status).toBe(201);
    expect((await t.call('GET', `${PROFILE}/connectorGroups/${id}`, { tenant: t1 })).body.name).toBe('one');
    expect((await t.call('GET', `${PROFILE}/connectorGroups/${id}`, { tenant: t2 })).body.name).toBe('two');
  });

  it("refuses the Default group's id for a new group", async () => {
    const tenant = randomUUID();
    const reply = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { id: defaultGroupId(tenant), name: 'fake' } });
    expect(reply.status).toBe(409);
  });
});

describe('validation: a 400 naming the property, and nothing written', () => {
  const tenant = randomUUID();
  it.each([
    ['an unknown property', { name: 'x', colour: 'red' }, 'colour'],
    ['a name of the wrong type', { name: 5 }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a name over 256 characters', { name: 'n'.repeat(257) }, 'name'],
    ['no name', { region: 'eur' }, 'name'],
    ['a bad region', { name: 'x', region: 'mars' }, 'region'],
    ['unknownFutureValue on create', { name: 'x', region: 'unknownFutureValue' }, 'region'],
    ['isDefault true', { name: 'x', isDefault: true }, 'isDefault'],
    ['another connectorGroupType', { name: 'x', connectorGroupType: 'exchangeOnline' }, 'connectorGroupType'],
    ['another @odata.type', { name: 'x', '@odata.type': '#microsoft.graph.connector' }, '@odata.type'],
    ['a malformed id', { name: 'x', id: 'abc' }, 'id'],
  ])('group with %s', async (_name, body, property) => {
    const reply = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toContain(`'${property}'`);
    expect(await tenantDocs(t.container, tenant)).toEqual([]);
  });

  it.each([
    ['no machineName', { externalIp: '192.0.2.1' }, 'machineName'],
    ['a machineName that is no host name', { machineName: 'bad host!', externalIp: '192.0.2.1' }, 'machineName'],
    ['an externalIp that is no address', { machineName: 'h', externalIp: '999.1.1.1' }, 'externalIp'],
    ['a bad status', { machineName: 'h', externalIp: '192.0.2.1', status: 'running' }, 'status'],
    ['a bad version', { machineName: 'h', externalIp: '192.0.2.1', version: 'one' }, 'version'],
  ])('connector with %s', async (_name, body, property) => {
    const reply = await t.call('POST', `${PROFILE}/connectors`, { tenant, body });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toContain(`'${property}'`);
    expect(await tenantDocs(t.container, tenant)).toEqual([]);
  });

  it('refuses bodies that are not a JSON object, broken JSON, huge bodies and other content types', async () => {
    const url = `${PROFILE}/connectorGroups`;
    const json = { 'content-type': 'application/json' };
    const cases: [string | Buffer, Record<string, string>, number][] = [
      ['[1,2]', json, 400],
      ['"text"', json, 400],
      ['null', json, 400],
      ['{"name": ', json, 400],
      ['', json, 400],
      [JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }), json, 413],
      ['name=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
      ['{"name":"x"}', {}, 415],
    ];
    for (const [raw, headers, status] of cases) {
      const reply = await t.call('POST', url, { tenant, raw, headers });
      expect({ raw: String(raw).slice(0, 20), status: reply.status }).toEqual({ raw: String(raw).slice(0, 20), status });
      expect(reply.body.error.innerError['request-id']).toBe(reply.headers.get('request-id'));
    }
    expect(await tenantDocs(t.container, tenant)).toEqual([]);
  });
});

describe('concurrency', () => {
  it('50 concurrent moves of one connector among three groups leave one edge and exact counts', async () => {
    const tenant = randomUUID();
    const groups = [
      (await t.createGroup(tenant, { name: 'A' })).id,
      (await t.createGroup(tenant, { name: 'B' })).id,
      (await t.createGroup(tenant, { name: 'C' })).id,
    ];
    const c = (await t.createConnector(tenant)).id;
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.call('POST', `${PROFILE}/connectors/${c}/memberOf/$ref`, { tenant, body: groupRef(groups[i % 3]!) }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    // Every other outcome is a Graph refusal a client understands: already there, or retry later.
    for (const r of replies.filter((r) => r.status !== 201)) {
      expect([400, 503]).toContain(r.status);
      if (r.status === 503) expect(r.headers.get('retry-after')).toBeTruthy();
    }
    const docs = await expectConsistent(t.container, tenant);
    const edges = docs.filter((d) => d.type === 'connectorMembership');
    expect(edges).toHaveLength(1);
    expect(groups.concat(defaultGroupId(tenant))).toContain(edges[0]!.groupId);
    const total = docs.filter((d) => d.type === 'connectorGroup').reduce((n, g) => n + (g.memberCount as number), 0);
    expect(total).toBe(1);
  });
});
