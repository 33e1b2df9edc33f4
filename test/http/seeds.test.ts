import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGroupId, membershipId } from '../../src/directory/documents.js';
import { readDoc, startTestApp, tenantDocs, type TestApp } from '../support/app.js';

/**
 * The five seed pages, each sent as its example shows: first verbatim (the template placeholders are wrong
 * types, so a 400 naming the property and nothing written), then with real values (the page's status and
 * shape, and the documents in Cosmos are what the request said).
 */
let t: TestApp;
beforeAll(async () => (t = await startTestApp()));
afterAll(async () => t?.close());

/** The request body of pages 000 and 002, placeholders and all. */
const groupPageExample = {
  '@odata.type': '#microsoft.graph.connectorGroup',
  connectorGroupType: 'String',
  isDefault: 'Boolean',
  name: 'String',
  region: 'String',
};

const profile = (version: string) => `/${version}/onPremisesPublishingProfiles/applicationProxy`;

async function expectRefusedWithoutWrites(tenant: string, send: () => Promise<{ status: number; body: any }>, property: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const before = await tenantDocs(t.container, tenant);
  const reply = await send();
  expect(reply.status).toBe(400);
  expect(reply.body.error.code).toBe('Request_BadRequest');
  expect(reply.body.error.message).toContain(`'${property}'`);
  expect(await tenantDocs(t.container, tenant)).toEqual(before);
}

describe('seed 000: POST /onPremisesPublishingProfiles/{id}/connectorGroups', () => {
  const pageExample = groupPageExample;

  it('refuses the example as it stands, naming the placeholder property, and writes nothing', async () => {
    const tenant = randomUUID();
    await expectRefusedWithoutWrites(
      tenant,
      () => t.call('POST', `${profile('beta')}/connectorGroups`, { tenant, body: pageExample }),
      'connectorGroupType',
    );
    // Without connectorGroupType, the next placeholder is named; then the next.
    const { connectorGroupType: _c, ...withoutType } = pageExample;
    const { isDefault: _i, ...writable } = withoutType;
    for (const [property, body] of [['isDefault', withoutType], ['region', writable]] as const) {
      await expectRefusedWithoutWrites(tenant, () => t.call('POST', `${profile('beta')}/connectorGroups`, { tenant, body }), property);
    }
  });

  it('creates the group from the example with real values: 201, the group, Location', async () => {
    const tenant = randomUUID();
    const body = { ...pageExample, connectorGroupType: 'applicationProxy', isDefault: false, name: 'Seed Group A', region: 'eur' };
    const reply = await t.call('POST', `${profile('beta')}/connectorGroups`, { tenant, body });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body).toMatchObject({
      '@odata.type': '#microsoft.graph.connectorGroup',
      connectorGroupType: 'applicationProxy',
      isDefault: false,
      name: 'Seed Group A',
      region: 'eur',
    });
    expect(reply.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.body['@odata.context']).toBe(`${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups/$entity`);
    expect(reply.headers.get('location')).toBe(`${t.url}${profile('beta')}/connectorGroups/${reply.body.id}`);

    const doc = await readDoc(t.container, tenant, reply.body.id);
    expect(doc).toMatchObject({
      id: reply.body.id,
      tenantId: tenant,
      type: 'connectorGroup',
      name: 'Seed Group A',
      region: 'eur',
      isDefault: false,
      connectorGroupType: 'applicationProxy',
      memberCount: 0,
      applicationCount: 0,
    });
    const got = await t.call('GET', `${profile('beta')}/connectorGroups/${reply.body.id}`, { tenant });
    expect(got.body).toMatchObject({ id: reply.body.id, name: 'Seed Group A', region: 'eur', isDefault: false });
  });

  it('refuses values that contradict the system, naming the property, and writes nothing', async () => {
    const tenant = randomUUID();
    const body = { ...pageExample, connectorGroupType: 'applicationProxy', isDefault: false, name: 'Seed Group A', region: 'eur' };
    await expectRefusedWithoutWrites(
      tenant,
      () => t.call('POST', `${profile('beta')}/connectorGroups`, { tenant, body: { ...body, isDefault: true } }),
      'isDefault',
    );
    await expectRefusedWithoutWrites(
      tenant,
      () => t.call('POST', `${profile('beta')}/connectorGroups`, { tenant, body: { ...body, connectorGroupType: 'provisioning' } }),
      'connectorGroupType',
    );
  });

  it('works the same under v1.0 and with the profile id in another case', async () => {
    const tenant = randomUUID();
    const reply = await t.call('POST', '/v1.0/onPremisesPublishingProfiles/APPLICATIONPROXY/connectorGroups', {
      tenant,
      body: { name: 'v1 group' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ name: 'v1 group', isDefault: false, connectorGroupType: 'applicationProxy', region: null });
    expect(reply.headers.get('location')).toBe(`${t.url}${profile('v1.0')}/connectorGroups/${reply.body.id}`);
  });

  it('answers 404 for another profile', async () => {
    const reply = await t.call('POST', '/beta/onPremisesPublishingProfiles/provisioning/connectorGroups', { body: { name: 'x' } });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('seed 001: POST /connectorGroups (the older create)', () => {
  const pageExample = { name: 'name-value', connectorGroupType: 'connectorGroupType-value', isDefault: false };

  it('refuses the example as it stands, naming connectorGroupType', async () => {
    const tenant = randomUUID();
    await expectRefusedWithoutWrites(tenant, () => t.call('POST', '/beta/connectorGroups', { tenant, body: pageExample }), 'connectorGroupType');
  });

  it.each(['beta', 'v1.0'])('creates the group from the example with real values under %s: 201 and the group', async (version) => {
    const tenant = randomUUID();
    const reply = await t.call('POST', `/${version}/connectorGroups`, {
      tenant,
      body: { ...pageExample, name: 'legacy', connectorGroupType: 'applicationProxy' },
    });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body).toMatchObject({ id: expect.any(String), name: 'legacy', connectorGroupType: 'applicationProxy', isDefault: false });
    const doc = await readDoc(t.container, tenant, reply.body.id);
    expect(doc).toMatchObject({ type: 'connectorGroup', tenantId: tenant, name: 'legacy', isDefault: false });
    // The alias creates in the applicationProxy profile: the group is listed there.
    const list = await t.call('GET', `/${version}/onPremisesPublishingProfiles/applicationProxy/connectorGroups`, { tenant });
    expect(list.body.value.map((g: { id: string }) => g.id)).toContain(reply.body.id);
  });
});

describe('seed 004: POST /onPremisesPublishingProfiles/{id}/connectors', () => {
  const pageExample = { '@odata.type': '#microsoft.graph.connector', externalIp: 'String', machineName: 'String', status: 'String' };

  it('refuses the example as it stands, naming the placeholder property', async () => {
    const tenant = randomUUID();
    await expectRefusedWithoutWrites(tenant, () => t.call('POST', `${profile('v1.0')}/connectors`, { tenant, body: pageExample }), 'externalIp');
    await expectRefusedWithoutWrites(
      tenant,
      () => t.call('POST', `${profile('v1.0')}/connectors`, { tenant, body: { ...pageExample, externalIp: '203.0.113.7' } }),
      'status',
    );
  });

  it('creates the connector with real values: 201, Location, and it joins the Default group', async () => {
    const tenant = randomUUID();
    const body = { ...pageExample, externalIp: '203.0.113.7', machineName: 'connector1.contoso.com', status: 'active' };
    const reply = await t.call('POST', `${profile('v1.0')}/connectors`, { tenant, body });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      '@odata.type': '#microsoft.graph.connector',
      externalIp: '203.0.113.7',
      machineName: 'connector1.contoso.com',
      status: 'active',
      version: '',
    });
    const id = reply.body.id as string;
    expect(reply.headers.get('location')).toBe(`${t.url}${profile('v1.0')}/connectors/${id}`);

    expect(await readDoc(t.container, tenant, id)).toMatchObject({
      id,
      tenantId: tenant,
      type: 'connector',
      machineName: 'connector1.contoso.com',
      externalIp: '203.0.113.7',
      status: 'active',
    });
    const defaultId = defaultGroupId(tenant);
    expect(await readDoc(t.container, tenant, membershipId(id))).toMatchObject({ type: 'connectorMembership', connectorId: id, groupId: defaultId });
    expect(await readDoc(t.container, tenant, defaultId)).toMatchObject({ name: 'Default', isDefault: true, memberCount: 1 });
  });
});

/** A group made as seed 000's example makes it (real values), and a connector as seed 004's. */
async function setup(tenant: string) {
  const group = await t.call('POST', `${profile('beta')}/connectorGroups`, {
    tenant,
    body: { ...groupPageExample, connectorGroupType: 'applicationProxy', isDefault: false, name: 'Target', region: 'nam' },
  });
  expect(group.status, group.text).toBe(201);
  const connector = await t.call('POST', `${profile('beta')}/connectors`, {
    tenant,
    body: { '@odata.type': '#microsoft.graph.connector', externalIp: '198.51.100.4', machineName: 'c1.contoso.com', status: 'active' },
  });
  expect(connector.status, connector.text).toBe(201);
  return { groupId: group.body.id as string, connectorId: connector.body.id as string };
}

describe('seed 003: POST /onPremisesPublishingProfiles/applicationProxy/connectors/{id}/memberOf/$ref', () => {
  it('moves the connector to the group the example names: 201 and the group', async () => {
    const tenant = randomUUID();
    const { groupId, connectorId } = await setup(tenant);
    const reply = await t.call('POST', `${profile('beta')}/connectors/${connectorId}/memberOf/$ref`, {
      tenant,
      body: { '@odata.id': `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${groupId}` },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ id: groupId, name: 'Target', connectorGroupType: 'applicationProxy', isDefault: false, region: 'nam' });

    expect(await readDoc(t.container, tenant, membershipId(connectorId))).toMatchObject({ groupId });
    expect(await readDoc(t.container, tenant, groupId)).toMatchObject({ memberCount: 1 });
    expect(await readDoc(t.container, tenant, defaultGroupId(tenant))).toMatchObject({ memberCount: 0 });
  });

  it('answers 204 without a body with Prefer: return=minimal', async () => {
    const tenant = randomUUID();
    const { groupId, connectorId } = await setup(tenant);
    const reply = await t.call('POST', `${profile('beta')}/connectors/${connectorId}/memberOf/$ref`, {
      tenant,
      headers: { prefer: 'return=minimal' },
      body: { '@odata.id': `${profile('beta')}/connectorGroups/${groupId}` },
    });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect(await readDoc(t.container, tenant, membershipId(connectorId))).toMatchObject({ groupId });
  });
});

describe('seed 002: POST /applications/{id}/connectorGroup/members/{connectorId}/memberOf/$ref', () => {
  const pageExample = groupPageExample;

  it('refuses the example as it stands, naming the placeholder property, and moves nothing', async () => {
    const tenant = randomUUID();
    const { groupId, connectorId } = await setup(tenant);
    const url = `/v1.0/applications/${randomUUID()}/connectorGroup/members/${connectorId}/memberOf/$ref`;
    await expectRefusedWithoutWrites(tenant, () => t.call('POST', url, { tenant, body: { ...pageExample, id: groupId } }), 'connectorGroupType');
    await expectRefusedWithoutWrites(
      tenant,
      () => t.call('POST', url, { tenant, body: { ...pageExample, id: groupId, connectorGroupType: 'applicationProxy' } }),
      'isDefault',
    );
    // Without an id the object names no group.
    const { connectorGroupType: _c, isDefault: _i, region: _r, ...named } = pageExample;
    await expectRefusedWithoutWrites(tenant, () => t.call('POST', url, { tenant, body: { ...named, name: 'Target' } }), 'id');
  });

  it('moves the connector of the application\'s group (Default when unassigned) to the group named by the object: 204', async () => {
    const tenant = randomUUID();
    const { groupId, connectorId } = await setup(tenant);
    const applicationId = randomUUID();
    const reply = await t.call('POST', `/v1.0/applications/${applicationId}/connectorGroup/members/${connectorId}/memberOf/$ref`, {
      tenant,
      body: { ...pageExample, id: groupId, connectorGroupType: 'applicationProxy', isDefault: false, name: 'Target', region: 'nam' },
    });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect(await readDoc(t.container, tenant, membershipId(connectorId))).toMatchObject({ groupId });
    expect(await readDoc(t.container, tenant, groupId)).toMatchObject({ memberCount: 1 });
  });

  it('accepts the target as @odata.id too', async () => {
    const tenant = randomUUID();
    const { groupId, connectorId } = await setup(tenant);
    const reply = await t.call('POST', `/beta/applications/${randomUUID()}/connectorGroup/members/${connectorId}/memberOf/$ref`, {
      tenant,
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${groupId}` },
    });
    expect(reply.status).toBe(204);
    expect(await readDoc(t.container, tenant, membershipId(connectorId))).toMatchObject({ groupId });
  });

  it('resolves through an assigned application\'s group, and is a 404 when the connector is not a member of it', async () => {
    const tenant = randomUUID();
    const { groupId, connectorId } = await setup(tenant);
    const other = await t.call('POST', `${profile('beta')}/connectorGroups`, { tenant, body: { name: 'Other' } });
    const applicationId = randomUUID();
    const assign = await t.call('PUT', `/beta/applications/${applicationId}/connectorGroup/$ref`, {
      tenant,
      body: { '@odata.id': `${profile('beta')}/connectorGroups/${groupId}` },
    });
    expect(assign.status).toBe(204);

    // The connector is still in Default, not in the application's group: not found, nothing moves.
    const before = await tenantDocs(t.container, tenant);
    const missing = await t.call('POST', `/beta/applications/${applicationId}/connectorGroup/members/${connectorId}/memberOf/$ref`, {
      tenant,
      body: { id: other.body.id },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    expect(await tenantDocs(t.container, tenant)).toEqual(before);

    // Once it is in the application's group, the navigation reaches it and moves it on.
    await t.call('POST', `${profile('beta')}/connectors/${connectorId}/memberOf/$ref`, {
      tenant,
      body: { '@odata.id': `${profile('beta')}/connectorGroups/${groupId}` },
    });
    const moved = await t.call('POST', `/beta/applications/${applicationId}/connectorGroup/members/${connectorId}/memberOf/$ref`, {
      tenant,
      body: { id: other.body.id },
    });
    expect(moved.status).toBe(204);
    expect(await readDoc(t.container, tenant, membershipId(connectorId))).toMatchObject({ groupId: other.body.id });
  });
});
