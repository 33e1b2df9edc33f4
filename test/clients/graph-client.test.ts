import { randomUUID } from 'node:crypto';
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  GraphError,
  PageIterator,
  type FetchOptions,
  type PageCollection,
} from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { dispatcherTrusting } from '../support/https.js';
import { tokenFor } from '../support/tokens.js';

/**
 * The official `@microsoft/microsoft-graph-client` v3, unchanged, against the service over HTTPS (v3 sends
 * the token only to https URLs whose host is in `customHosts`; docs/CLIENTS.md, "Pointing a client at the service", "Headers", "Paging", "JSON batching").
 * The local certificate is trusted through fetch's `dispatcher`, passed in the client's `fetchOptions`.
 */
let t: TestApp;
let client: Client;
let origin: string;
let options: FetchOptions;
const tenant = randomUUID();
const P = '/onPremisesPublishingProfiles/applicationProxy';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Group {
  id: string;
  name: string;
  region?: string | null;
  isDefault?: boolean;
  connectorGroupType?: string;
}
interface Connector {
  id: string;
  machineName: string;
  externalIp: string;
  status: string;
}

const makeClient = (token: string, config: { customHosts?: boolean } = {}) =>
  Client.initWithMiddleware({
    baseUrl: origin,
    defaultVersion: 'beta',
    customHosts: config.customHosts === false ? undefined : new Set(['127.0.0.1']),
    authProvider: { getAccessToken: async () => token },
    fetchOptions: options,
  });

beforeAll(async () => {
  t = await startTestApp({ https: true });
  origin = `https://127.0.0.1:${t.port}`;
  options = { dispatcher: await dispatcherTrusting(t.ca!) } as FetchOptions;
  client = makeClient(await tokenFor(tenant, 'Directory.ReadWrite.All'));
});
afterAll(async () => t?.close());

async function thrown(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error('expected a GraphError');
}

const groupRef = (id: string) => ({ '@odata.id': `${origin}/beta${P}/connectorGroups/${id}` });

describe('microsoft-graph-client v3 over https', () => {
  it('creates, reads and updates a connectorGroup', async () => {
    const created = (await client.api(`${P}/connectorGroups`).post({ name: 'Group A', region: 'eur' })) as Group;
    expect(created).toMatchObject({ name: 'Group A', region: 'eur', isDefault: false, connectorGroupType: 'applicationProxy' });
    expect(created.id).toMatch(GUID);

    const read = (await client.api(`${P}/connectorGroups/${created.id}`).get()) as Group;
    expect(read).toMatchObject({ id: created.id, name: 'Group A', region: 'eur' });

    const patched = (await client.api(`${P}/connectorGroups/${created.id}`).patch({ name: 'Group A renamed' })) as Group;
    expect(patched).toMatchObject({ id: created.id, name: 'Group A renamed', region: 'eur' });

    const minimal = await client.api(`${P}/connectorGroups/${created.id}`).header('Prefer', 'return=minimal').patch({ region: 'nam' });
    expect(minimal).toBeUndefined();
    const selected = (await client.api(`${P}/connectorGroups/${created.id}`).select(['name', 'region']).get()) as Group;
    expect(selected).toMatchObject({ name: 'Group A renamed', region: 'nam' });
    expect(selected).not.toHaveProperty('isDefault');

    // The same through v1.0.
    const v1 = (await client.api(`${P}/connectorGroups/${created.id}`).version('v1.0').get()) as Group & { '@odata.context': string };
    expect(v1['@odata.context']).toContain('/v1.0/$metadata#');
  });

  it('creates connectors, which join the Default group, and lists them with filter, select and top', async () => {
    const made: Connector[] = [];
    for (const i of [1, 2, 3]) {
      made.push(
        (await client.api(`${P}/connectors`).post({ machineName: `list${i}.contoso.com`, externalIp: `10.1.0.${i}` })) as Connector,
      );
    }
    expect(made.map((c) => c.status)).toEqual(['active', 'active', 'active']);
    const memberOf = (await client.api(`${P}/connectors/${made[0]!.id}/memberOf`).get()) as { value: Group[] };
    expect(memberOf.value).toEqual([expect.objectContaining({ name: 'Default', isDefault: true })]);

    const page = (await client
      .api(`${P}/connectors`)
      .filter("startswith(machineName,'list') and externalIp ne '10.1.0.2'")
      .select(['id', 'machineName'])
      .orderby('machineName desc')
      .top(5)
      .get()) as { value: Partial<Connector>[] };
    expect(page.value).toEqual([
      { id: made[2]!.id, machineName: 'list3.contoso.com' },
      { id: made[0]!.id, machineName: 'list1.contoso.com' },
    ]);
  });

  it('follows every page of 25 groups with PageIterator (top 7): all of them, once each', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `Paged ${String(i).padStart(2, '0')}`);
    const created = new Set<string>();
    for (const name of names) created.add(((await client.api(`${P}/connectorGroups`).post({ name })) as Group).id);

    const first = (await client
      .api(`${P}/connectorGroups`)
      .filter("startswith(name,'Paged ')")
      .select(['id', 'name'])
      .top(7)
      .count(true)
      .get()) as PageCollection;
    expect(first.value).toHaveLength(7);
    expect(first['@odata.count']).toBe(25);
    const nextLink = first['@odata.nextLink'] as string;
    expect(nextLink.startsWith(`${origin}/beta${P}/connectorGroups?`)).toBe(true);

    const seen: Group[] = [];
    const iterator = new PageIterator(client, first, (item: Group) => {
      seen.push(item);
      return true;
    });
    await iterator.iterate();
    expect(iterator.isComplete()).toBe(true);
    expect(seen).toHaveLength(25);
    expect(new Set(seen.map((g) => g.id))).toEqual(created);
    expect(seen.map((g) => g.name).sort()).toEqual(names);
    for (const g of seen) expect(Object.keys(g).sort()).toEqual(['id', 'name']);
  });

  it('moves a connector with memberOf/$ref and assigns an application with connectorGroup/$ref', async () => {
    const group = (await client.api(`${P}/connectorGroups`).post({ name: 'Target', region: 'aus' })) as Group;
    const connector = (await client
      .api(`${P}/connectors`)
      .post({ machineName: 'mover.contoso.com', externalIp: '192.0.2.10' })) as Connector;

    const moved = (await client.api(`${P}/connectors/${connector.id}/memberOf/$ref`).post(groupRef(group.id))) as Group;
    expect(moved).toMatchObject({ id: group.id, name: 'Target' });
    const members = (await client.api(`${P}/connectorGroups/${group.id}/members`).get()) as { value: Connector[] };
    expect(members.value.map((c) => c.id)).toEqual([connector.id]);
    const memberOf = (await client.api(`${P}/connectors/${connector.id}/memberOf`).get()) as { value: Group[] };
    expect(memberOf.value.map((g) => g.id)).toEqual([group.id]);
    expect(await client.api(`${P}/connectorGroups/${group.id}/members/$count`).get()).toBe('1');

    // Moving it where it already is: Graph's 400.
    const again = await thrown(client.api(`${P}/connectors/${connector.id}/memberOf/$ref`).post(groupRef(group.id)));
    expect(again).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });

    const appId = randomUUID();
    const defaultGroup = (await client.api(`/applications/${appId}/connectorGroup`).get()) as Group;
    expect(defaultGroup).toMatchObject({ name: 'Default', isDefault: true });
    expect(await client.api(`/applications/${appId}/connectorGroup/$ref`).put(groupRef(group.id))).toBeUndefined();
    expect(await client.api(`/applications/${appId}/connectorGroup`).get()).toMatchObject({ id: group.id, name: 'Target', region: 'aus' });
    const apps = (await client.api(`${P}/connectorGroups/${group.id}/applications`).get()) as { value: { id: string }[] };
    expect(apps.value).toEqual([expect.objectContaining({ id: appId })]);

    // A group with members and applications cannot go (409), nor change its region.
    expect(await thrown(client.api(`${P}/connectorGroups/${group.id}`).delete())).toMatchObject({ statusCode: 409, code: 'conflict' });

    // Empty it: unassign the application, delete the connector; then the group goes.
    expect(await client.api(`/applications/${appId}/connectorGroup/$ref`).delete()).toBeUndefined();
    expect(await client.api(`/applications/${appId}/connectorGroup`).get()).toMatchObject({ isDefault: true });
    expect(await client.api(`${P}/connectors/${connector.id}`).delete()).toBeUndefined();
    expect(await client.api(`${P}/connectorGroups/${group.id}`).delete()).toBeUndefined();
    const gone = await thrown(client.api(`${P}/connectorGroups/${group.id}`).get());
    expect(gone).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    expect(gone.requestId).toMatch(GUID);
  });

  it("reads and removes membership references, and uses expand, search, skip and count through the client's builders", async () => {
    const group = (await client.api(`${P}/connectorGroups`).post({ name: 'Client refs' })) as Group;
    const connector = (await client
      .api(`${P}/connectors`)
      .post({ machineName: 'refs.contoso.com', externalIp: '192.0.2.20' })) as Connector;
    // members/$ref POST: 204, which the client returns as undefined.
    expect(
      await client
        .api(`${P}/connectorGroups/${group.id}/members/$ref`)
        .post({ '@odata.id': `${origin}/beta${P}/connectors/${connector.id}` }),
    ).toBeUndefined();

    const refs = (await client.api(`${P}/connectorGroups/${group.id}/members/$ref`).get()) as { value: { '@odata.id': string }[] };
    expect(refs.value).toEqual([{ '@odata.id': `${origin}/beta${P}/connectors/${connector.id}` }]);
    expect(await client.api(`${P}/connectors/${connector.id}/memberOf/$count`).get()).toBe('1');

    const expanded = (await client.api(`${P}/connectorGroups/${group.id}`).expand('members($select=id,machineName)').get()) as Group & {
      members: object[];
    };
    expect(expanded.members).toEqual([{ id: connector.id, machineName: 'refs.contoso.com' }]);
    const searched = (await client.api(`${P}/connectorGroups`).search('"name:client refs"').select(['id']).get()) as { value: Group[] };
    expect(searched.value).toEqual([{ id: group.id }]);
    const skipped = (await client.api(`${P}/connectors`).filter("startswith(machineName,'refs')").skip(1).get()) as { value: Connector[] };
    expect(skipped.value).toEqual([]);

    // Removing the reference returns the connector to Default; removing it from Default is Graph's 400.
    expect(await client.api(`${P}/connectorGroups/${group.id}/members/${connector.id}/$ref`).delete()).toBeUndefined();
    const memberOf = (await client.api(`${P}/connectors/${connector.id}/memberOf`).get()) as { value: Group[] };
    expect(memberOf.value).toEqual([expect.objectContaining({ name: 'Default', isDefault: true })]);
    const fromDefault = await thrown(client.api(`${P}/connectors/${connector.id}/memberOf/${memberOf.value[0]!.id}/$ref`).delete());
    expect(fromDefault).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
  });

  it('sends a $batch with BatchRequestContent and reads it with BatchResponseContent', async () => {
    const group = (await client.api(`${P}/connectorGroups`).post({ name: 'Batch target' })) as Group;
    const url = (path: string) => `${origin}/beta${P}${path}`;
    const json = { 'Content-Type': 'application/json' };
    const content = new BatchRequestContent([
      { id: '1', request: new Request(url(`/connectorGroups/${group.id}`), { method: 'GET' }) },
      {
        id: '2',
        request: new Request(url('/connectorGroups'), {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ name: 'Batch Group', region: 'ind' }),
        }),
        dependsOn: ['1'],
      },
      {
        id: '3',
        request: new Request(url(`/connectorGroups/${group.id}`), {
          method: 'PATCH',
          headers: json,
          body: JSON.stringify({ name: 'Batch renamed' }),
        }),
        dependsOn: ['2'],
      },
      { id: '4', request: new Request(url(`/connectorGroups/${randomUUID()}`), { method: 'DELETE' }), dependsOn: ['3'] },
      { id: '5', request: new Request(url(`/connectorGroups/${group.id}`), { method: 'DELETE' }), dependsOn: ['4'] },
    ]);
    const raw = await client.api('/$batch').post(await content.getContent());
    const responses = new BatchResponseContent(raw).getResponses();
    expect([...responses.keys()].sort()).toEqual(['1', '2', '3', '4', '5']);

    const one = responses.get('1')!;
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await one.json()).toMatchObject({ id: group.id, name: 'Batch target' });

    const two = responses.get('2')!;
    expect(two.status).toBe(201);
    const made = (await two.json()) as Group;
    expect(made).toMatchObject({ name: 'Batch Group', region: 'ind' });
    expect(two.headers.get('location')).toBe(`${origin}/beta${P}/connectorGroups/${made.id}`);

    expect(responses.get('3')!.status).toBe(200);
    expect(await responses.get('3')!.json()).toMatchObject({ id: group.id, name: 'Batch renamed' });

    const four = responses.get('4')!;
    expect(four.status).toBe(404);
    expect(await four.json()).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });

    const five = responses.get('5')!;
    expect(five.status).toBe(424);
    expect(await five.json()).toMatchObject({ error: { code: 'failedDependency' } });

    expect(await client.api(`${P}/connectorGroups/${made.id}`).get()).toMatchObject({ name: 'Batch Group' });
    expect(await client.api(`${P}/connectorGroups/${group.id}`).get()).toMatchObject({ name: 'Batch renamed' });
  });

  it('surfaces Graph errors as GraphError, and a read-only token gets 403 on writes', async () => {
    const bad = await thrown(client.api(`${P}/connectorGroups`).post({ name: 'x', isDefault: 'Boolean' }));
    expect(bad).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
    expect(bad.message).toContain('isDefault');

    const reader = makeClient(await tokenFor(tenant, 'Directory.Read.All'));
    const groups = (await reader.api(`${P}/connectorGroups`).top(1).get()) as { value: Group[] };
    expect(groups.value).toHaveLength(1);
    const denied = await thrown(reader.api(`${P}/connectorGroups`).post({ name: 'Nope' }));
    expect(denied).toMatchObject({ statusCode: 403, code: 'Authorization_RequestDenied' });
  });

  it('verifies the certificate: without trusting it, the same request fails', async () => {
    await expect(fetch(`${origin}/beta${P}/connectorGroups`)).rejects.toThrow();
    expect(t.ca).toContain('BEGIN CERTIFICATE');
  });

  it('(documented v3 behaviour) sends no token to a host missing from customHosts: 401', async () => {
    const noHosts = makeClient(await tokenFor(tenant), { customHosts: false });
    const refused = await thrown(noHosts.api(`${P}/connectorGroups`).get());
    expect(refused).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
  });
});
