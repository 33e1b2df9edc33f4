/**
 * The documented `$ref` reads and removals, `$count` on memberOf and applications, a single application
 * reference and `applications/{id}/connectorGroup/$ref` (issue 13), through the local host over Cosmos,
 * with the documents read back to show what each request really changed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGroupId, membershipId } from '../../src/directory/documents.js';
import { PROFILE, expectConsistent, expectError, readDoc, startTestApp, tenantDocs, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => (t = await startTestApp()));
afterAll(async () => t?.close());

const GROUPS = `${PROFILE}/connectorGroups`;
const CONNECTORS = `${PROFILE}/connectors`;
const graphUrl = (path: string) => `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/${path}`;

const groupOfConnector = async (tenant: string, connectorId: string) =>
  (await readDoc(t.container, tenant, membershipId(connectorId)))?.groupId;

describe('GET …/members/$ref and …/memberOf/$ref', () => {
  it('lists references as {"@odata.id"} with the Collection($ref) context, paged, counted and filtered like members', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const cs = [
      await t.createConnector(tenant, { machineName: 'ref1.contoso.com' }),
      await t.createConnector(tenant, { machineName: 'ref2.contoso.com' }),
      await t.createConnector(tenant, { machineName: 'other.contoso.com' }),
    ];
    for (const c of cs) await t.moveConnector(tenant, c.id, g.id);

    const all = await t.call('GET', `${GROUPS}/${g.id}/members/$ref`, { tenant });
    expect(all.status, all.text).toBe(200);
    expect(all.body['@odata.context']).toBe(`${t.url}/beta/$metadata#Collection($ref)`);
    expect(all.body.value.map((r: object) => Object.keys(r))).toEqual(cs.map(() => ['@odata.id']));
    expect(all.body.value.map((r: { '@odata.id': string }) => r['@odata.id']).sort()).toEqual(
      cs.map((c) => `${t.url}/beta/${CONNECTORS.slice(6)}/${c.id}`).sort(),
    );

    const first = await t.call(
      'GET',
      `${GROUPS}/${g.id}/members/$ref?$top=2&$count=true&$filter=${encodeURIComponent("startswith(machineName,'ref')")}`,
      { tenant },
    );
    expect(first.status, first.text).toBe(200);
    expect(first.body['@odata.count']).toBe(2);
    expect(first.body.value).toHaveLength(2);
    const narrowed = await t.call('GET', `${GROUPS}/${g.id}/members/$ref?$top=1&$search=${encodeURIComponent('"machineName:REF"')}`, {
      tenant,
    });
    const second = await t.call('GET', narrowed.body['@odata.nextLink'].slice(t.url.length), { tenant });
    expect(second.status, second.text).toBe(200);
    expect(second.body['@odata.nextLink']).toBeUndefined();
    const refs = [...narrowed.body.value, ...second.body.value].map((r: { '@odata.id': string }) => r['@odata.id'].split('/').pop());
    expect(refs.sort()).toEqual([cs[0]!.id, cs[1]!.id].sort());

    // Each reference is a URL the service itself accepts in a $ref body.
    const h = await t.createGroup(tenant);
    const moved = await t.call('POST', `${GROUPS}/${h.id}/members/$ref`, { tenant, body: { '@odata.id': all.body.value[0]['@odata.id'] } });
    expect(moved.status, moved.text).toBe(204);

    expectError(await t.call('GET', `${GROUPS}/${g.id}/members/$ref?$select=id`, { tenant }), 400, 'Request_BadRequest', '$select');
    expectError(await t.call('GET', `${GROUPS}/${g.id}/members/$ref?$expand=memberOf`, { tenant }), 400, 'Request_BadRequest', '$expand');
    expectError(await t.call('GET', `${GROUPS}/${randomUUID()}/members/$ref`, { tenant }), 404, 'Request_ResourceNotFound');
    expectError(await t.call('GET', `${GROUPS}/${g.id}/members/$ref`, { tenant: randomUUID() }), 404, 'Request_ResourceNotFound');
  });

  it("lists a connector's one group as a reference, on beta and v1.0", async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const inDefault = await t.call('GET', `${CONNECTORS}/${c.id}/memberOf/$ref`, { tenant });
    expect(inDefault.status, inDefault.text).toBe(200);
    expect(inDefault.body).toEqual({
      '@odata.context': `${t.url}/beta/$metadata#Collection($ref)`,
      value: [{ '@odata.id': `${t.url}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${defaultGroupId(tenant)}` }],
    });
    const g = await t.createGroup(tenant);
    await t.moveConnector(tenant, c.id, g.id);
    const v1 = await t.call('GET', `/v1.0/onPremisesPublishingProfiles/applicationProxy/connectors/${c.id}/memberOf/$ref`, { tenant });
    expect(v1.body.value).toEqual([{ '@odata.id': `${t.url}/v1.0/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${g.id}` }]);
    const none = await t.call('GET', `${CONNECTORS}/${c.id}/memberOf/$ref?$filter=isDefault`, { tenant });
    expect(none.body.value).toEqual([]);
    expectError(await t.call('GET', `${CONNECTORS}/${randomUUID()}/memberOf/$ref`, { tenant }), 404, 'Request_ResourceNotFound');
  });
});

describe('DELETE a membership reference: the connector returns to Default', () => {
  const removals = (groupId: string, connectorId: string) => [
    ['members/{id}/$ref', `${GROUPS}/${groupId}/members/${connectorId}/$ref`],
    ['members/$ref?@id=', `${GROUPS}/${groupId}/members/$ref?@id=${encodeURIComponent(graphUrl(`connectors/${connectorId}`))}`],
    [
      'members/$ref?$id= (relative)',
      `${GROUPS}/${groupId}/members/$ref?$id=${encodeURIComponent(`/beta/onPremisesPublishingProfiles/applicationProxy/connectors/${connectorId}`)}`,
    ],
    ['memberOf/{id}/$ref', `${CONNECTORS}/${connectorId}/memberOf/${groupId}/$ref`],
    ['memberOf/$ref?@id=', `${CONNECTORS}/${connectorId}/memberOf/$ref?@id=${encodeURIComponent(graphUrl(`connectorGroups/${groupId}`))}`],
  ];

  it.each([0, 1, 2, 3, 4])('form %i: 204 without a body, the edge points at Default, the counts follow', async (form) => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const c = await t.createConnector(tenant);
    await t.moveConnector(tenant, c.id, g.id);
    const [name, url] = removals(g.id, c.id)[form]!;
    const r = await t.call('DELETE', url!, { tenant });
    expect(r.status, `${name}: ${r.text}`).toBe(204);
    expect(r.text).toBe('');
    expect(await groupOfConnector(tenant, c.id)).toBe(defaultGroupId(tenant));
    expect((await readDoc(t.container, tenant, g.id))?.memberCount).toBe(0);
    expect((await readDoc(t.container, tenant, defaultGroupId(tenant)))?.memberCount).toBe(1);
    await expectConsistent(t.container, tenant);
    // The group is empty now, so it can be deleted.
    expect((await t.call('DELETE', `${GROUPS}/${g.id}`, { tenant })).status).toBe(204);
  });

  it('a connector that is not in that group: 404, and nothing changes', async () => {
    const tenant = randomUUID();
    const [g, h] = [await t.createGroup(tenant), await t.createGroup(tenant)];
    const c = await t.createConnector(tenant);
    await t.moveConnector(tenant, c.id, h.id);
    const before = await tenantDocs(t.container, tenant);
    for (const [name, url] of [...removals(g.id, c.id), ...removals(g.id, randomUUID())]) {
      expectError(await t.call('DELETE', url!, { tenant }), 404, 'Request_ResourceNotFound', undefined);
      expect(await tenantDocs(t.container, tenant), name).toEqual(before);
    }
    // A missing group or a malformed id is a 404 too; another tenant sees nothing.
    for (const [, url] of [...removals(randomUUID(), c.id), ...removals('not-a-guid', c.id).slice(0, 1), ...removals(h.id, c.id)]) {
      const r = await t.call('DELETE', url!, { tenant: url!.includes(h.id) ? randomUUID() : tenant });
      expectError(r, 404, 'Request_ResourceNotFound');
    }
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
  });

  it('from the Default group: 400, as Graph refuses removing the last reference, and nothing changes', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const before = await tenantDocs(t.container, tenant);
    for (const [name, url] of removals(defaultGroupId(tenant), c.id)) {
      const r = await t.call('DELETE', url!, { tenant });
      expectError(r, 400, 'Request_BadRequest', 'Default');
      expect(await tenantDocs(t.container, tenant), name).toEqual(before);
    }
  });

  it('refuses a missing, doubled or wrong-kind @id with 400', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const c = await t.createConnector(tenant);
    await t.moveConnector(tenant, c.id, g.id);
    const before = await tenantDocs(t.container, tenant);
    const connectorUrl = encodeURIComponent(graphUrl(`connectors/${c.id}`));
    for (const url of [
      `${GROUPS}/${g.id}/members/$ref`,
      `${GROUPS}/${g.id}/members/$ref?@id=`,
      `${GROUPS}/${g.id}/members/$ref?@id=${connectorUrl}&$id=${connectorUrl}`,
      `${GROUPS}/${g.id}/members/$ref?@id=${encodeURIComponent(graphUrl(`connectorGroups/${g.id}`))}`,
      `${GROUPS}/${g.id}/members/$ref?@id=not%20a%20url`,
      `${CONNECTORS}/${c.id}/memberOf/$ref?@id=${connectorUrl}`,
    ]) {
      expectError(await t.call('DELETE', url, { tenant }), 400, 'Request_BadRequest');
    }
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
  });

  it('races with moves of the same connector and never leaves it in two groups or none', async () => {
    const tenant = randomUUID();
    const [a, b] = [await t.createGroup(tenant), await t.createGroup(tenant)];
    const c = await t.createConnector(tenant);
    await t.moveConnector(tenant, c.id, a.id);
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0
          ? t.call('DELETE', `${GROUPS}/${a.id}/members/${c.id}/$ref`, { tenant })
          : t.call('POST', `${CONNECTORS}/${c.id}/memberOf/$ref`, {
              tenant,
              body: { '@odata.id': graphUrl(`connectorGroups/${[a, b][(i >> 1) % 2]!.id}`) },
              headers: { prefer: 'return=minimal' },
            }),
      ),
    );
    for (const r of replies) expect([204, 400, 404], r.text).toContain(r.status);
    await expectConsistent(t.container, tenant);
  });
});

describe('$count on memberOf and applications', () => {
  it('memberOf/$count is 1, or 0 when $filter or $search excludes the group', async () => {
    const tenant = randomUUID();
    const c = await t.createConnector(tenant);
    const count = async (query = '') => {
      const r = await t.call('GET', `${CONNECTORS}/${c.id}/memberOf/$count${query}`, { tenant });
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      return r.text;
    };
    expect(await count()).toBe('1');
    expect(await count('?$filter=isDefault')).toBe('1');
    expect(await count('?$filter=not isDefault')).toBe('0');
    expect(await count(`?$search=${encodeURIComponent('"name:defa"')}`)).toBe('1');
    expectError(
      await t.call('GET', `${CONNECTORS}/${c.id}/memberOf/$count?$top=1&$skip=1`, { tenant }),
      400,
      'Request_BadRequest',
      '$count',
    );
    expectError(await t.call('GET', `${CONNECTORS}/${randomUUID()}/memberOf/$count`, { tenant }), 404, 'Request_ResourceNotFound');
  });

  it('applications/$count counts the applications assigned to the group', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const count = async () => (await t.call('GET', `${GROUPS}/${g.id}/applications/$count`, { tenant })).text;
    expect(await count()).toBe('0');
    await t.assignApplication(tenant, randomUUID(), g.id);
    await t.assignApplication(tenant, randomUUID(), g.id);
    expect(await count()).toBe('2');
    expectError(
      await t.call('GET', `${GROUPS}/${g.id}/applications/$count?$filter=id eq ${randomUUID()}`, { tenant }),
      400,
      'Request_BadRequest',
      '$filter',
    );
    expectError(await t.call('GET', `${GROUPS}/${randomUUID()}/applications/$count`, { tenant }), 404, 'Request_ResourceNotFound');
  });
});

describe('GET …/connectorGroups/{id}/applications/{applicationId}', () => {
  it('is the application when it is assigned to that group: id and @odata.type; else 404', async () => {
    const tenant = randomUUID();
    const [g, h] = [await t.createGroup(tenant), await t.createGroup(tenant)];
    const app = randomUUID();
    await t.assignApplication(tenant, app, g.id);
    const r = await t.call('GET', `${GROUPS}/${g.id}/applications/${app.toUpperCase()}`, { tenant });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      '@odata.context': `${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups('${g.id}')/applications/$entity`,
      '@odata.type': '#microsoft.graph.application',
      id: app,
    });
    expect((await t.call('GET', `${GROUPS}/${g.id}/applications/${app}?$select=id`, { tenant })).body.id).toBe(app);
    expectError(await t.call('GET', `${GROUPS}/${h.id}/applications/${app}`, { tenant }), 404, 'Request_ResourceNotFound');
    expectError(await t.call('GET', `${GROUPS}/${g.id}/applications/${randomUUID()}`, { tenant }), 404, 'Request_ResourceNotFound');
    expectError(await t.call('GET', `${GROUPS}/${g.id}/applications/not-a-guid`, { tenant }), 404, 'Request_ResourceNotFound');
    expectError(await t.call('GET', `${GROUPS}/${randomUUID()}/applications/${app}`, { tenant }), 404, 'Request_ResourceNotFound');
    expectError(await t.call('GET', `${GROUPS}/${g.id}/applications/${app}`, { tenant: randomUUID() }), 404, 'Request_ResourceNotFound');
    expectError(
      await t.call('GET', `${GROUPS}/${g.id}/applications/${app}?$select=displayName`, { tenant }),
      400,
      'Request_BadRequest',
      'displayName',
    );
    // An application never assigned is in Default implicitly, and is not listed there.
    expectError(
      await t.call('GET', `${GROUPS}/${defaultGroupId(tenant)}/applications/${randomUUID()}`, { tenant }),
      404,
      'Request_ResourceNotFound',
    );
  });
});

describe('GET /applications/{id}/connectorGroup/$ref', () => {
  it('is a reference to the assigned group, or to Default when unassigned', async () => {
    const tenant = randomUUID();
    const app = randomUUID();
    const ref = async () => {
      const r = await t.call('GET', `/beta/applications/${app}/connectorGroup/$ref`, { tenant });
      expect(r.status, r.text).toBe(200);
      expect(Object.keys(r.body)).toEqual(['@odata.context', '@odata.id']);
      expect(r.body['@odata.context']).toBe(`${t.url}/beta/$metadata#$ref`);
      return r.body['@odata.id'] as string;
    };
    expect(await ref()).toBe(`${t.url}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${defaultGroupId(tenant)}`);
    const g = await t.createGroup(tenant);
    await t.assignApplication(tenant, app, g.id);
    const url = await ref();
    expect(url).toBe(`${t.url}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${g.id}`);
    // The reference reads back as the group.
    expect((await t.call('GET', url.slice(t.url.length), { tenant })).body.id).toBe(g.id);
    expectError(await t.call('GET', '/beta/applications/not-a-guid/connectorGroup/$ref', { tenant }), 404, 'Request_ResourceNotFound');
  });
});
