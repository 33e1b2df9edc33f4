/**
 * Application assignment (`applications/{id}/connectorGroup`, its `$ref`) and the publishing profile,
 * through the local Functions host over a fresh Cosmos container (docs/API.md, "Membership and assignment").
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE, expectError, readDoc, startTestApp, tenantDocs, type TestApp } from '../support/app.js';

const P = PROFILE;
const GROUPS = `${P}/connectorGroups`;
const GRAPH = 'https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

const groupOf = (tenant: string, app: string, version = 'beta') =>
  t.call('GET', `/${version}/applications/${app}/connectorGroup`, { tenant });
const put = (tenant: string, app: string, odataId: unknown) =>
  t.call('PUT', `/beta/applications/${app}/connectorGroup/$ref`, { tenant, body: { '@odata.id': odataId } });
const del = (tenant: string, app: string) => t.call('DELETE', `/beta/applications/${app}/connectorGroup/$ref`, { tenant });
const appIds = async (tenant: string, groupId: string) => {
  const r = await t.call('GET', `${GROUPS}/${groupId}/applications`, { tenant });
  expect(r.status, r.text).toBe(200);
  return (r.body.value as { id: string }[]).map((a) => a.id).sort();
};

describe('GET applications/{id}/connectorGroup', () => {
  it('is the Default group for an application never assigned', async () => {
    const tenant = randomUUID();
    const app = randomUUID();
    const r = await groupOf(tenant, app);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      '@odata.context': `${t.url}/beta/$metadata#applications('${app}')/connectorGroup/$entity`,
      name: 'Default',
      isDefault: true,
      connectorGroupType: 'applicationProxy',
      region: null,
    });
    expect(r.headers.get('etag')).toBe(r.body['@odata.etag']);
    const list = await t.call('GET', GROUPS, { tenant });
    expect(list.body.value.map((g: { id: string }) => g.id)).toEqual([r.body.id]);
  });

  it('names the navigation path in its context, $select and $expand included: application.connectorGroup has no binding to a set', async () => {
    // ODataLib's reader refuses #…/connectorGroups/$entity here: the entity set it expects from the request
    // URL is the navigation's own (tools/odata-check found it).
    const app = randomUUID();
    const r = await t.call('GET', `/v1.0/applications/${app}/connectorGroup?$select=name&$expand=members`, { tenant: randomUUID() });
    expect(r.status, r.text).toBe(200);
    expect(r.body['@odata.context']).toBe(`${t.url}/v1.0/$metadata#applications('${app}')/connectorGroup(name,members())/$entity`);
  });

  it('answers 404 for a malformed application id', async () => {
    expectError(await groupOf(randomUUID(), 'not-a-guid'), 404, 'Request_ResourceNotFound');
  });
});

describe('PUT applications/{id}/connectorGroup/$ref', () => {
  it('assigns the application: 204, then GET returns the group and the group lists the application', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant, { name: 'Apps' });
    const app = randomUUID();
    const r = await put(tenant, app, `${GRAPH}/connectorGroups/${g.id}`);
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');

    const read = await groupOf(tenant, app);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: g.id, name: 'Apps', isDefault: false });
    expect((await groupOf(tenant, app, 'v1.0')).body.id).toBe(g.id);
    expect(await appIds(tenant, g.id)).toEqual([app]);
    expect((await readDoc(t.container, tenant, g.id))?.applicationCount).toBe(1);
    // The assignment is private to the tenant.
    expect((await groupOf(randomUUID(), app)).body.isDefault).toBe(true);
  });

  it('replaces an assignment: the application leaves the first group and joins the second', async () => {
    const tenant = randomUUID();
    const [g1, g2] = [await t.createGroup(tenant), await t.createGroup(tenant)];
    const app = randomUUID();
    expect((await put(tenant, app, `${GRAPH}/connectorGroups/${g1!.id}`)).status).toBe(204);
    // Relative, other-host and version-less forms name the same group.
    expect((await put(tenant, app, `/v1.0/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${g2!.id}`)).status).toBe(204);
    expect((await groupOf(tenant, app)).body.id).toBe(g2!.id);
    expect(await appIds(tenant, g1!.id)).toEqual([]);
    expect(await appIds(tenant, g2!.id)).toEqual([app]);
    expect((await readDoc(t.container, tenant, g1!.id))?.applicationCount).toBe(0);
    expect((await readDoc(t.container, tenant, g2!.id))?.applicationCount).toBe(1);

    expect(
      (await put(tenant, app, `https://example.org/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${g1!.id}`)).status,
    ).toBe(204);
    expect((await groupOf(tenant, app)).body.id).toBe(g1!.id);
    // Putting it where it already is changes nothing.
    expect((await put(tenant, app, `${GRAPH}/connectorGroups/${g1!.id}`)).status).toBe(204);
    expect(await appIds(tenant, g1!.id)).toEqual([app]);
    expect((await readDoc(t.container, tenant, g1!.id))?.applicationCount).toBe(1);
  });

  it('refuses a missing group (404) and a reference of the wrong type or no URL (400), changing nothing', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const c = await t.call('POST', `${P}/connectors`, { tenant, body: { machineName: 'c.contoso.com', externalIp: '10.0.0.1' } });
    const app = randomUUID();
    expect((await put(tenant, app, `${GRAPH}/connectorGroups/${g.id}`)).status).toBe(204);
    const before = await tenantDocs(t.container, tenant);

    expectError(await put(tenant, app, `${GRAPH}/connectorGroups/${randomUUID()}`), 404, 'Request_ResourceNotFound');
    expectError(await put(tenant, app, `${GRAPH}/connectors/${c.body.id}`), 400, 'Request_BadRequest');
    expectError(await put(tenant, app, 'just some text'), 400, 'Request_BadRequest');
    expectError(await put(tenant, app, 42), 400, 'Request_BadRequest', '@odata.id');
    expectError(await put(tenant, app, `${GRAPH}/connectorGroups/not-a-guid`), 404, 'Request_ResourceNotFound');
    const otherTenantGroup = await t.createGroup(randomUUID());
    expectError(await put(tenant, app, `${GRAPH}/connectorGroups/${otherTenantGroup.id}`), 404, 'Request_ResourceNotFound');

    expect(await tenantDocs(t.container, tenant)).toEqual(before);
    expect((await groupOf(tenant, app)).body.id).toBe(g.id);
  });
});

describe('DELETE applications/{id}/connectorGroup/$ref', () => {
  it('returns the application to Default (204); again is 400', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const app = randomUUID();
    expect((await put(tenant, app, `${GRAPH}/connectorGroups/${g.id}`)).status).toBe(204);

    const r = await del(tenant, app);
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');
    expect((await groupOf(tenant, app)).body).toMatchObject({ name: 'Default', isDefault: true });
    expect(await appIds(tenant, g.id)).toEqual([]);
    expect((await readDoc(t.container, tenant, g.id))?.applicationCount).toBe(0);
    expect(await readDoc(t.container, tenant, `${app}.connectorGroup`)).toBeUndefined();

    expectError(await del(tenant, app), 400, 'Request_BadRequest', 'Default');
    expectError(await del(tenant, randomUUID()), 400, 'Request_BadRequest');
    expectError(await del(tenant, 'nope'), 404, 'Request_ResourceNotFound');
  });

  it('PUT to the Default group is the same as DELETE: the assignment goes away', async () => {
    const tenant = randomUUID();
    const g = await t.createGroup(tenant);
    const app = randomUUID();
    expect((await put(tenant, app, `${GRAPH}/connectorGroups/${g.id}`)).status).toBe(204);
    const dflt = (await groupOf(tenant, randomUUID())).body;
    expect((await put(tenant, app, `${GRAPH}/connectorGroups/${dflt.id}`)).status).toBe(204);
    expect((await groupOf(tenant, app)).body.id).toBe(dflt.id);
    expect((await readDoc(t.container, tenant, g.id))?.applicationCount).toBe(0);
    expectError(await del(tenant, app), 400, 'Request_BadRequest');
  });
});

describe('GET onPremisesPublishingProfiles/{profileId}', () => {
  it('is the applicationProxy profile, enabled, in any case; any other profile is 404', async () => {
    for (const path of [
      '/beta/onPremisesPublishingProfiles/applicationProxy',
      '/v1.0/onPremisesPublishingProfiles/applicationProxy',
      '/beta/onpremisespublishingprofiles/APPLICATIONPROXY',
    ]) {
      const r = await t.call('GET', path);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ id: 'applicationProxy', isEnabled: true });
      expect(r.body['@odata.context']).toMatch(/\/\$metadata#onPremisesPublishingProfiles/);
    }
    expectError(await t.call('GET', '/beta/onPremisesPublishingProfiles/provisioning'), 404, 'Request_ResourceNotFound');
  });
});
