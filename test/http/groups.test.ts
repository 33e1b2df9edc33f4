/**
 * connectorGroups beyond the seeds: list, get, PATCH, DELETE, members, members/$ref, members/$count and
 * applications, through the local Functions host over a fresh Cosmos container (docs/API.md, "Routes" and
 * "Membership and assignment"). Each test works in its own tenant.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE, expectError, readDoc, startTestApp, tenantDocs, type TestApp } from '../support/app.js';

const P = PROFILE;
const GROUPS = `${P}/connectorGroups`;

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

async function defaultGroupOf(tenant: string) {
  const r = await t.call('GET', `${GROUPS}?$filter=isDefault eq true`, { tenant });
  expect(r.status, r.text).toBe(200);
  expect(r.body.value).toHaveLength(1);
  return r.body.value[0] as { id: string };
}

const getGroup = (tenant: string, id: string) => t.call('GET', `${GROUPS}/${id}`, { tenant });

describe('GET connectorGroups', () => {
  it("shows the Default group on a tenant's first list, once, next to the groups the tenant creates", async () => {
    const tenant = randomUUID();
    const first = await t.call('GET', GROUPS, { tenant });
    expect(first.status, first.text).toBe(200);
    expect(first.body['@odata.context']).toBe(`${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups`);
    expect(first.body.value).toEqual([
      { id: expect.any(String), name: 'Default', connectorGroupType: 'applicationProxy', isDefault: true, region: null },
    ]);
    expect(first.body['@odata.nextLink']).toBeUndefined();

    const mine = await t.createGroup(tenant, { name: 'Second', region: 'eur' });
    const again = await t.call('GET', GROUPS, { tenant });
    expect(again.status).toBe(200);
    const byName = Object.fromEntries((again.body.value as { name: string }[]).map((g) => [g.name, g]));
    expect(again.body.value).toHaveLength(2);
    expect(byName.Default).toEqual(first.body.value[0]);
    expect(byName.Second).toEqual({ id: mine.id, name: 'Second', connectorGroupType: 'applicationProxy', isDefault: false, region: 'eur' });
  });

  it("never lists another tenant's groups", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const theirs = await t.createGroup(a, { name: 'Tenant A only' });
    const r = await t.call('GET', GROUPS, { tenant: b });
    expect(r.status).toBe(200);
    expect(r.body.value.map((g: { id: string }) => g.id)).not.toContain(theirs.id);
    expect(r.body.value.map((g: { name: string }) => g.name)).toEqual(['Default']);
  });
});

describe('GET connectorGroups/{id}', () => {
  it('returns the group with an ETag header equal to @odata.etag', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Fetch me', region: 'asia' });
    const r = await getGroup(tenant, g.id);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      '@odata.context': `${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups/$entity`,
      id: g.id,
      name: 'Fetch me',
      connectorGroupType: 'applicationProxy',
      isDefault: false,
      region: 'asia',
    });
    const etag = r.headers.get('etag');
    expect(etag).toMatch(/^(W\/)?".+"$/);
    expect(r.body['@odata.etag']).toBe(etag);
  });

  it('is the same under v1.0, and matches the profile and the path literals case-insensitively', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const v1 = await t.call('GET', `/v1.0/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${g.id}`, { tenant });
    expect(v1.status, v1.text).toBe(200);
    expect(v1.body.id).toBe(g.id);
    expect(v1.body['@odata.context']).toBe(
      `${t.url}/v1.0/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups/$entity`,
    );
    for (const profile of ['APPLICATIONPROXY', 'applicationproxy', 'ApplicationProxy']) {
      const r = await t.call('GET', `/beta/onpremisespublishingprofiles/${profile}/CONNECTORGROUPS/${g.id.toUpperCase()}`, { tenant });
      expect(r.status, `${profile}: ${r.text}`).toBe(200);
      expect(r.body.id).toBe(g.id);
    }
  });

  it('answers 404 for a malformed id, an unknown id, another profile and another tenant', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    for (const path of [
      `${GROUPS}/not-a-guid`,
      `${GROUPS}/${g.id}x`,
      `${GROUPS}/${randomUUID()}`,
      `/beta/onPremisesPublishingProfiles/other/connectorGroups/${g.id}`,
      `/beta/onPremisesPublishingProfiles/provisioning/connectorGroups/${g.id}`,
    ]) {
      expectError(await t.call('GET', path, { tenant }), 404, 'Request_ResourceNotFound');
    }
    const other = await t.call('GET', `${GROUPS}/${g.id}`, { tenant: randomUUID() });
    expectError(other, 404, 'Request_ResourceNotFound');
    expect(other.text).not.toContain(tenant);
  });
});

describe('PATCH connectorGroups/{id}', () => {
  it('renames a group and changes its region: 200 with the updated group and a new ETag', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Before', region: 'nam' });
    const before = await getGroup(tenant, g.id);
    const r = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'After', region: 'eur' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ id: g.id, name: 'After', region: 'eur', isDefault: false, connectorGroupType: 'applicationProxy' });
    expect(r.headers.get('etag')).toBe(r.body['@odata.etag']);
    expect(r.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const read = await getGroup(tenant, g.id);
    expect(read.body).toMatchObject({ name: 'After', region: 'eur' });

    // Only what is sent changes.
    const onlyName = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'After 2' } });
    expect(onlyName.status, onlyName.text).toBe(200);
    expect(onlyName.body).toMatchObject({ name: 'After 2', region: 'eur' });
  });

  it('clears the region with region: null (region is nullable)', async () => {
    // KNOWN BUG (src/directory/directory.ts, updateGroup): `input.region ?? current.region` treats an
    // explicit null like an absent property, so the PATCH answers 200 with the old region.
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Regional', region: 'nam' });
    const r = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { region: null } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ name: 'Regional', region: null });
    expect((await readDoc(t.container, tenant, g.id))?.region).toBeNull();
  });

  it('with Prefer: return=minimal answers 204 without a body, with Preference-Applied, and still applies the change', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Quiet' });
    const r = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'Quieter' }, headers: { prefer: 'return=minimal' } });
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');
    expect(r.headers.get('preference-applied')).toBe('return=minimal');
    expect((await getGroup(tenant, g.id)).body.name).toBe('Quieter');
  });

  it('honours If-Match: a stale ETag is 412 and changes nothing, the current one succeeds', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'v1' });
    const stale = g['@odata.etag'];
    const first = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'v2' }, headers: { 'if-match': stale } });
    expect(first.status, first.text).toBe(200);
    const current = first.headers.get('etag')!;

    expectError(
      await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'v3' }, headers: { 'if-match': stale } }),
      412,
      'preconditionFailed',
    );
    expect((await getGroup(tenant, g.id)).body.name).toBe('v2');

    const ok = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'v3' }, headers: { 'if-match': current } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.name).toBe('v3');

    const any = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'v4' }, headers: { 'if-match': '*' } });
    expect(any.status, any.text).toBe(200);
    expect(any.body.name).toBe('v4');
  });

  it('refuses a region change while the group has a member (409) and changes nothing, but allows a rename', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Busy', region: 'nam' });
    const c = await t.createConnector(tenant);
    await t.moveConnector(tenant, c.id, g.id);
    const before = await readDoc(t.container, tenant, g.id);

    expectError(await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'Renamed', region: 'eur' } }), 409, 'conflict');
    const after = await readDoc(t.container, tenant, g.id);
    expect(after).toEqual(before);

    // Sending the region it already has is no change.
    const same = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'Renamed', region: 'nam' } });
    expect(same.status, same.text).toBe(200);
    expect(same.body).toMatchObject({ name: 'Renamed', region: 'nam' });
  });

  it('refuses a region change while an application is assigned to the group (409)', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'App group', region: 'aus' });
    await t.assignApplication(tenant, randomUUID(), g.id);
    expectError(await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { region: 'ind' } }), 409, 'conflict');
    expect((await getGroup(tenant, g.id)).body.region).toBe('aus');
  });

  it('ignores unknownFutureValue for region (evolvable enum in a PATCH)', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Evolving', region: 'eur' });
    const r = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'Evolved', region: 'unknownFutureValue' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ name: 'Evolved', region: 'eur' });
    expect((await readDoc(t.container, tenant, g.id))?.region).toBe('eur');
  });

  it('accepts isDefault and connectorGroupType with the values the service set, to no effect', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Not default' });
    for (const body of [
      { isDefault: false },
      { connectorGroupType: 'applicationProxy' },
      { name: 'Renamed', isDefault: false, connectorGroupType: 'applicationProxy' },
    ]) {
      const r = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ isDefault: false, connectorGroupType: 'applicationProxy' });
    }
    expect(await readDoc(t.container, tenant, g.id)).toMatchObject({
      name: 'Renamed',
      isDefault: false,
      connectorGroupType: 'applicationProxy',
    });
  });

  it('refuses isDefault and connectorGroupType values that contradict the service, naming the property and the rule, and changes nothing', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Not default' });
    const dflt = await defaultGroupOf(tenant);
    const before = await tenantDocs(t.container, tenant);
    const cases: [string, Record<string, unknown>, string, string][] = [
      [g.id, { isDefault: true }, 'isDefault', "only the tenant's Default connectorGroup has isDefault true"],
      [g.id, { name: 'x', isDefault: true }, 'isDefault', "only the tenant's Default connectorGroup has isDefault true"],
      [dflt.id, { isDefault: false }, 'isDefault', 'stays the default'],
      [g.id, { connectorGroupType: 'other' }, 'connectorGroupType', "always 'applicationProxy'"],
      [dflt.id, { name: 'x', connectorGroupType: 'Default' }, 'connectorGroupType', "always 'applicationProxy'"],
      [g.id, { connectorGroupType: null }, 'connectorGroupType', 'expected string'],
      [g.id, { isDefault: 'Boolean' }, 'isDefault', 'expected boolean'],
    ];
    for (const [id, body, property, rule] of cases) {
      const r = await t.call('PATCH', `${GROUPS}/${id}`, { tenant, body });
      expectError(r, 400, 'Request_BadRequest', `'${property}'`);
      expect(r.body.error.message, JSON.stringify(body)).toContain(rule);
    }
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
  });

  it('refuses invalid bodies with 400 naming the property, and unknown groups with 404', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Strict' });
    const cases: [unknown, string][] = [
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(257) }, 'name'],
      [{ name: 42 }, 'name'],
      [{ region: 'mars' }, 'region'],
      [{ connectorGroupType: 'somethingElse' }, 'connectorGroupType'],
      [{ displayName: 'x' }, 'displayName'],
      [{ id: randomUUID() }, 'id'],
    ];
    for (const [body, property] of cases) {
      expectError(await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body }), 400, 'Request_BadRequest', property);
    }
    expect((await getGroup(tenant, g.id)).body.name).toBe('Strict');
    expectError(await t.call('PATCH', `${GROUPS}/${randomUUID()}`, { tenant, body: { name: 'x' } }), 404, 'Request_ResourceNotFound');
  });
});

describe('DELETE connectorGroups/{id}', () => {
  it('deletes an empty group: 204 without a body, then 404', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const r = await t.call('DELETE', `${GROUPS}/${g.id}`, { tenant });
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');
    expect(await readDoc(t.container, tenant, g.id)).toBeUndefined();
    expectError(await getGroup(tenant, g.id), 404, 'Request_ResourceNotFound');
    expectError(await t.call('DELETE', `${GROUPS}/${g.id}`, { tenant }), 404, 'Request_ResourceNotFound');
  });

  it('refuses to delete a group with a member (409); once the member leaves, the delete works', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const c = await t.createConnector(tenant);
    await t.moveConnector(tenant, c.id, g.id);
    expectError(await t.call('DELETE', `${GROUPS}/${g.id}`, { tenant }), 409, 'conflict');
    expect((await getGroup(tenant, g.id)).status).toBe(200);

    const dflt = await defaultGroupOf(tenant);
    await t.moveConnector(tenant, c.id, dflt.id);
    expect((await t.call('DELETE', `${GROUPS}/${g.id}`, { tenant })).status).toBe(204);
  });

  it('refuses to delete a group with an assigned application (409)', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const app = randomUUID();
    await t.assignApplication(tenant, app, g.id);
    expectError(await t.call('DELETE', `${GROUPS}/${g.id}`, { tenant }), 409, 'conflict');
    expect((await getGroup(tenant, g.id)).status).toBe(200);
    const edge = await t.call('GET', `/beta/applications/${app}/connectorGroup`, { tenant });
    expect(edge.body.id).toBe(g.id);
  });

  it('never deletes the Default group (409 conflict, docs/API.md, "Membership and assignment")', async () => {
    const tenant = randomUUID();
    const dflt = await defaultGroupOf(tenant);
    expectError(await t.call('DELETE', `${GROUPS}/${dflt.id}`, { tenant }), 409, 'conflict');
    expect((await getGroup(tenant, dflt.id)).body).toMatchObject({ name: 'Default', isDefault: true });
  });

  it('renames the Default group like any group, which stays the default (its id, not its name, makes it so)', async () => {
    const tenant = randomUUID();
    const dflt = await defaultGroupOf(tenant);
    const r = await t.call('PATCH', `${GROUPS}/${dflt.id}`, { tenant, body: { name: 'Headquarters', isDefault: true } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ id: dflt.id, name: 'Headquarters', isDefault: true });
    expect(await readDoc(t.container, tenant, dflt.id)).toMatchObject({ name: 'Headquarters', isDefault: true });
    // New connectors still join it, and another group may now be called Default.
    const c = await t.createConnector(tenant);
    const memberOf = (await t.call('GET', `${PROFILE}/connectors/${c.id}/memberOf`, { tenant })).body.value;
    expect(memberOf).toEqual([expect.objectContaining({ id: dflt.id, name: 'Headquarters' })]);
    const other = await t.createGroup(tenant, { name: 'Default' });
    expect(other).toMatchObject({ name: 'Default', isDefault: false });
    expect((await t.call('DELETE', `${GROUPS}/${dflt.id}`, { tenant })).status).toBe(409);
  });

  it("changes the Default group's region by the rule of every group: while it has no connectors or applications", async () => {
    const tenant = randomUUID();
    const dflt = await defaultGroupOf(tenant);
    const set = await t.call('PATCH', `${GROUPS}/${dflt.id}`, { tenant, body: { region: 'eur' } });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ region: 'eur', isDefault: true });
    await t.createConnector(tenant);
    const before = await readDoc(t.container, tenant, dflt.id);
    expectError(await t.call('PATCH', `${GROUPS}/${dflt.id}`, { tenant, body: { region: 'nam' } }), 409, 'conflict', 'region');
    expect(await readDoc(t.container, tenant, dflt.id)).toEqual(before);
  });

  it('honours If-Match: stale 412 (group kept), current 204', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Guarded' });
    const renamed = await t.call('PATCH', `${GROUPS}/${g.id}`, { tenant, body: { name: 'Guarded 2' } });
    expectError(
      await t.call('DELETE', `${GROUPS}/${g.id}`, { tenant, headers: { 'if-match': g['@odata.etag'] } }),
      412,
      'preconditionFailed',
    );
    expect((await getGroup(tenant, g.id)).status).toBe(200);
    const ok = await t.call('DELETE', `${GROUPS}/${g.id}`, { tenant, headers: { 'if-match': renamed.headers.get('etag')! } });
    expect(ok.status, ok.text).toBe(204);
    expect(await readDoc(t.container, tenant, g.id)).toBeUndefined();
  });
});

describe('members', () => {
  it('lists the connectors of a group, and an empty collection for an empty group', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const [c1, c2, c3] = [await t.createConnector(tenant), await t.createConnector(tenant), await t.createConnector(tenant)];
    await t.moveConnector(tenant, c1!.id, g.id);
    await t.moveConnector(tenant, c2!.id, g.id);

    const r = await t.call('GET', `${GROUPS}/${g.id}/members`, { tenant });
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(
      `${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups('${g.id}')/members`,
    );
    expect(r.body.value.map((c: { id: string }) => c.id).sort()).toEqual([c1!.id, c2!.id].sort());
    expect(r.body.value[0]).toEqual({
      id: expect.any(String),
      machineName: 'conn1.contoso.com',
      externalIp: '10.1.2.3',
      status: 'active',
      version: '',
    });

    const dflt = await defaultGroupOf(tenant);
    const inDefault = await t.call('GET', `${GROUPS}/${dflt.id}/members`, { tenant });
    expect(inDefault.body.value.map((c: { id: string }) => c.id)).toEqual([c3!.id]);

    const empty = await t.createGroup(tenant);
    const none = await t.call('GET', `${GROUPS}/${empty.id}/members`, { tenant });
    expect(none.status).toBe(200);
    expect(none.body.value).toEqual([]);

    expectError(await t.call('GET', `${GROUPS}/${randomUUID()}/members`, { tenant }), 404, 'Request_ResourceNotFound');
  });

  it('POST members/$ref moves the connector here: 204 without a body, as the metadata documents; counts follow', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const c = await t.createConnector(tenant);
    const dflt = await defaultGroupOf(tenant);
    const r = await t.call('POST', `${GROUPS}/${g.id}/members/$ref`, {
      tenant,
      body: { '@odata.id': `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectors/${c.id}` },
    });
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');
    expect(r.headers.get('location')).toBeNull();

    const memberOf = await t.call('GET', `${P}/connectors/${c.id}/memberOf`, { tenant });
    expect(memberOf.body.value.map((x: { id: string }) => x.id)).toEqual([g.id]);
    expect((await readDoc(t.container, tenant, g.id))?.memberCount).toBe(1);
    expect((await readDoc(t.container, tenant, dflt.id))?.memberCount).toBe(0);
    expect((await t.call('GET', `${GROUPS}/${dflt.id}/members/$count`, { tenant })).text).toBe('0');
  });

  it('POST members/$ref with return=minimal: 204 too (nothing to apply), and a relative @odata.id works', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const c = await t.createConnector(tenant);
    const r = await t.call('POST', `${GROUPS}/${g.id}/members/$ref`, {
      tenant,
      // A relative @odata.id is accepted too.
      body: { '@odata.id': `/beta/onPremisesPublishingProfiles/applicationProxy/connectors/${c.id}` },
      headers: { prefer: 'return=minimal' },
    });
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');
    expect((await t.call('GET', `${GROUPS}/${g.id}/members/$count`, { tenant })).text).toBe('1');
  });

  it('refuses a connector that is already a member (400 "already exist") and changes nothing', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const c = await t.createConnector(tenant);
    await t.moveConnector(tenant, c.id, g.id);
    const before = await tenantDocs(t.container, tenant);
    const r = await t.call('POST', `${GROUPS}/${g.id}/members/$ref`, {
      tenant,
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/onPremisesPublishingProfiles/applicationProxy/connectors/${c.id}` },
    });
    expectError(r, 400, 'Request_BadRequest', 'already exist');
    expect(await tenantDocs(t.container, tenant)).toEqual(before);
  });

  it('refuses a missing connector (404), a reference of the wrong type (400) and a missing group (404)', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const other = await t.createGroup(tenant);
    const c = await t.createConnector(tenant);
    const ref = (path: string) => ({
      '@odata.id': `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/${path}`,
    });
    expectError(
      await t.call('POST', `${GROUPS}/${g.id}/members/$ref`, { tenant, body: ref(`connectors/${randomUUID()}`) }),
      404,
      'Request_ResourceNotFound',
    );
    expectError(
      await t.call('POST', `${GROUPS}/${g.id}/members/$ref`, { tenant, body: ref(`connectorGroups/${other.id}`) }),
      400,
      'Request_BadRequest',
    );
    expectError(
      await t.call('POST', `${GROUPS}/${g.id}/members/$ref`, { tenant, body: { '@odata.id': 'not a url at all' } }),
      400,
      'Request_BadRequest',
    );
    expectError(await t.call('POST', `${GROUPS}/${g.id}/members/$ref`, { tenant, body: { id: c.id } }), 400, 'Request_BadRequest', 'id');
    expectError(
      await t.call('POST', `${GROUPS}/${randomUUID()}/members/$ref`, { tenant, body: ref(`connectors/${c.id}`) }),
      404,
      'Request_ResourceNotFound',
    );
    // Nothing moved.
    const memberOf = await t.call('GET', `${P}/connectors/${c.id}/memberOf`, { tenant });
    expect(memberOf.body.value[0].isDefault).toBe(true);
  });

  it('members/$count is a text/plain number that follows moves', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const count = async () => {
      const r = await t.call('GET', `${GROUPS}/${g.id}/members/$count`, { tenant });
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      return r.text;
    };
    expect(await count()).toBe('0');
    const [c1, c2] = [await t.createConnector(tenant), await t.createConnector(tenant)];
    await t.moveConnector(tenant, c1!.id, g.id);
    await t.moveConnector(tenant, c2!.id, g.id);
    expect(await count()).toBe('2');
    expectError(await t.call('GET', `${GROUPS}/${randomUUID()}/members/$count`, { tenant }), 404, 'Request_ResourceNotFound');
  });
});

describe('GET connectorGroups/{id}/applications', () => {
  it('lists the assigned applications as [{ @odata.type, id }]', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const empty = await t.call('GET', `${GROUPS}/${g.id}/applications`, { tenant });
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body.value).toEqual([]);

    const [a1, a2] = [randomUUID(), randomUUID()];
    await t.assignApplication(tenant, a1, g.id);
    await t.assignApplication(tenant, a2, g.id);
    const r = await t.call('GET', `${GROUPS}/${g.id}/applications`, { tenant });
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(
      `${t.url}/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups('${g.id}')/applications`,
    );
    expect([...r.body.value].sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id))).toEqual(
      [a1, a2].sort().map((id) => ({ '@odata.type': '#microsoft.graph.application', id })),
    );
    expectError(await t.call('GET', `${GROUPS}/${randomUUID()}/applications`, { tenant }), 404, 'Request_ResourceNotFound');

    // Paged like any collection; there is nothing to filter or order by.
    const first = await t.call('GET', `${GROUPS}/${g.id}/applications?$top=1&$count=true`, { tenant });
    expect(first.status, first.text).toBe(200);
    expect(first.body['@odata.count']).toBe(2);
    expect(first.body.value).toHaveLength(1);
    const second = await t.call('GET', first.body['@odata.nextLink'].slice(t.url.length), { tenant });
    expect(second.status, second.text).toBe(200);
    expect([...first.body.value, ...second.body.value].map((a: { id: string }) => a.id).sort()).toEqual([a1, a2].sort());
    expectError(
      await t.call('GET', `${GROUPS}/${g.id}/applications?$filter=id eq ${a1}`, { tenant }),
      400,
      'Request_BadRequest',
      '$filter',
    );
  });
});
