import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGroupId } from '../../src/directory/documents.js';
import { PROFILE, expectRecorded, readDoc, startTestApp, tenantDocs, type TestApp } from '../support/app.js';

/**
 * Cosmos round trips per request, counted from what the SDK sends (a counting proxy sits between the
 * service and the embedded server), against the budgets of the performance issue; and counters that
 * stay exact without conflicts when many writers touch one group.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ countCosmosRequests: true });
});
afterAll(async () => t?.close());

/** The Cosmos requests `action` makes, and its reply. */
async function counted<T>(action: () => Promise<T>): Promise<{ requests: number; reply: T }> {
  const before = t.cosmosRequests();
  const reply = await action();
  return { requests: t.cosmosRequests() - before, reply };
}

describe('Cosmos round trips per request', () => {
  const tenant = randomUUID();
  const ref = (kind: string, id: string) => ({
    '@odata.id': `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/${kind}/${id}`,
  });
  let groupA: string;
  let groupB: string;

  beforeAll(async () => {
    // The tenant's Default group is made by its first connector; budgets are for a tenant in use.
    await t.createConnector(tenant);
    groupA = (await t.createGroup(tenant)).id;
    groupB = (await t.createGroup(tenant)).id;
  });

  it.each([
    ['GET a group', 1],
    ['GET a page of groups', 2],
  ])('%s: at most %i', async (what, budget) => {
    const path = what === 'GET a group' ? `${PROFILE}/connectorGroups/${groupA}` : `${PROFILE}/connectorGroups?$top=2`;
    const { requests, reply } = await counted(() => t.call('GET', path, { tenant }));
    expect(reply.status).toBe(200);
    expect(requests).toBeLessThanOrEqual(budget);
  });

  it('create a connector: 1 (one batch: connector, edge, Default count)', async () => {
    const { requests, reply } = await counted(() =>
      t.call('POST', `${PROFILE}/connectors`, { tenant, body: { machineName: 'rt.contoso.com', externalIp: '10.0.0.9' } }),
    );
    expect(reply.status).toBe(201);
    expect(requests).toBe(1);
  });

  it('a group and a connector changed on their own: each write is one batch with its audit record, in as many round trips as before the records', async () => {
    const records = async () => (await tenantDocs(t.container, tenant)).filter((d) => d.type === 'directoryAudit').length;
    const steps: [string, number][] = [];
    const made = await counted(() => t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { name: 'rt' } }));
    expect(made.reply.status).toBe(201);
    steps.push(['create a group', made.requests]);
    const group = made.reply.body.id as string;
    const connector = (await t.createConnector(tenant)).id as string;
    for (const [what, method, path, body] of [
      ['update a group', 'PATCH', `${PROFILE}/connectorGroups/${group}`, { name: 'rt2' }],
      ['update a connector', 'PATCH', `${PROFILE}/connectors/${connector}`, { version: '2.0' }],
      ['delete a group', 'DELETE', `${PROFILE}/connectorGroups/${group}`, undefined],
    ] as const) {
      const before = await records();
      const { requests, reply } = await counted(() => t.call(method, path, { tenant, body }));
      expect(reply.status, reply.text).toBeLessThan(300);
      expect(await records(), what).toBe(before + 1);
      steps.push([what, requests]);
    }
    // One write (create), or a read and a write (the others): the counts the service had before it recorded anything.
    expect(steps).toEqual([
      ['create a group', 1],
      ['update a group', 2],
      ['update a connector', 2],
      ['delete a group', 2],
    ]);
  });

  it('move a connector (seed 003): 2, and the reply is the target group', async () => {
    const connector = await t.createConnector(tenant);
    const { requests, reply } = await counted(() =>
      t.call('POST', `${PROFILE}/connectors/${connector.id}/memberOf/$ref`, { tenant, body: ref('connectorGroups', groupA) }),
    );
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body).toMatchObject({ id: groupA });
    expect(requests).toBe(2);
  });

  it('take a connector out of its group (DELETE …/members/{id}/$ref): 2, a move to Default', async () => {
    const connector = await t.createConnector(tenant);
    await t.call('POST', `${PROFILE}/connectors/${connector.id}/memberOf/$ref`, { tenant, body: ref('connectorGroups', groupB) });
    const { requests, reply } = await counted(() =>
      t.call('DELETE', `${PROFILE}/connectorGroups/${groupB}/members/${connector.id}/$ref`, { tenant }),
    );
    expect(reply.status, reply.text).toBe(204);
    expect(requests).toBe(2);
  });

  it('$expand costs the same few requests whatever the page size: two queries for the whole page', async () => {
    const extra = async (path: string, top: number) => {
      // Groups: Default first, so every page has members to read (an empty page of edges skips the second query).
      const query = path.endsWith('connectors')
        ? `$orderby=id&$top=${top}&$expand=memberOf`
        : `$orderby=isDefault desc,id&$top=${top}&$expand=members`;
      const plain = await counted(() => t.call('GET', `${path}?${query.replace(/&\$expand=.*$/, '')}`, { tenant }));
      const expanded = await counted(() => t.call('GET', `${path}?${query}`, { tenant }));
      expect(expanded.reply.status, expanded.reply.text).toBe(200);
      expect(expanded.reply.body.value).toHaveLength(top);
      return expanded.requests - plain.requests;
    };
    for (const path of [`${PROFILE}/connectorGroups`, `${PROFILE}/connectors`]) {
      const one = await extra(path, 1);
      expect(one, path).toBeLessThanOrEqual(4); // two queries, each with its query plan at most
      expect(await extra(path, 3), path).toBe(one);
    }
  });

  it('assign an application: at most 3; seed 002 through it: at most 3', async () => {
    const app = randomUUID();
    const assign = await counted(() =>
      t.call('PUT', `/beta/applications/${app}/connectorGroup/$ref`, { tenant, body: ref('connectorGroups', groupB) }),
    );
    expect(assign.reply.status, assign.reply.text).toBe(204);
    expect(assign.requests).toBeLessThanOrEqual(3);

    const connector = await t.createConnector(tenant);
    await t.call('POST', `${PROFILE}/connectors/${connector.id}/memberOf/$ref`, { tenant, body: ref('connectorGroups', groupB) });
    const seed002 = await counted(() =>
      t.call('POST', `/beta/applications/${app}/connectorGroup/members/${connector.id}/memberOf/$ref`, {
        tenant,
        body: ref('connectorGroups', groupA),
      }),
    );
    expect(seed002.reply.status, seed002.reply.text).toBe(204);
    expect(seed002.requests).toBeLessThanOrEqual(3);
  });

  it('delete a connector: at most 2', async () => {
    const connector = await t.createConnector(tenant);
    const { requests, reply } = await counted(() => t.call('DELETE', `${PROFILE}/connectors/${connector.id}`, { tenant }));
    expect(reply.status).toBe(204);
    expect(requests).toBeLessThanOrEqual(2);
  });

  it('a move to a group that does not exist is a 404 and changes nothing', async () => {
    const connector = await t.createConnector(tenant);
    const before = await tenantDocs(t.container, tenant);
    const reply = await t.call('POST', `${PROFILE}/connectors/${connector.id}/memberOf/$ref`, {
      tenant,
      body: ref('connectorGroups', randomUUID()),
    });
    expect(reply.status).toBe(404);
    // A connector's id is no group either, though a document with that id exists.
    const other = await t.createConnector(tenant);
    const notAGroup = await t.call('POST', `${PROFILE}/connectors/${connector.id}/memberOf/$ref`, {
      tenant,
      body: ref('connectorGroups', other.id),
    });
    expect(notAGroup.status).toBe(404);
    // All but the second connector, its edge and its record: the refused moves wrote nothing, records included.
    const after = (await tenantDocs(t.container, tenant)).filter(
      (d) =>
        d.id !== other.id &&
        d.id !== `${other.id}.memberOf` &&
        !(d.type === 'directoryAudit' && JSON.stringify(d.targetResources).includes(other.id)),
    );
    const defaults = (docs: Record<string, unknown>[]) => docs.map((d) => (d.id === defaultGroupId(tenant) ? { ...d, memberCount: 0 } : d));
    expect(defaults(after)).toEqual(defaults(before));
  });
});

describe('what reaches Cosmos', () => {
  it("carries none of the service's own bookkeeping: the header that names a store call stays inside the process", async () => {
    const tenant = randomUUID();
    const from = t.cosmosLog().length;
    const group = await t.createGroup(tenant);
    await t.call('GET', `${PROFILE}/connectorGroups/${group.id}`, { tenant });
    await t.call('GET', `${PROFILE}/connectorGroups?$filter=name eq 'x'`, { tenant });
    const sent = t.cosmosLog().slice(from);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const request of sent) expect(Object.keys(request.headers).filter((name) => name.startsWith('x-appproxy'))).toEqual([]);
  });
});

describe('one group, many writers', () => {
  it('64 concurrent connector creates in one tenant all succeed, and the Default count is exact', async () => {
    const tenant = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        t.call('POST', `${PROFILE}/connectors`, { tenant, body: { machineName: `agent${i}.contoso.com`, externalIp: '10.2.0.1' } }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 64 }, () => 201));
    const defaultGroup = await readDoc(t.container, tenant, defaultGroupId(tenant));
    expect(defaultGroup?.memberCount).toBe(64);
    const edges = (await tenantDocs(t.container, tenant)).filter((d) => d.type === 'connectorMembership');
    expect(edges).toHaveLength(64);
    expect((await expectRecorded(t.container, tenant)).filter((r) => r.activityDisplayName === 'Register connector')).toHaveLength(64);
  });

  it('a $batch of 20 connector creates all succeed', async () => {
    const tenant = randomUUID();
    await t.createConnector(tenant);
    const requests = Array.from({ length: 20 }, (_, i) => ({
      id: String(i),
      method: 'POST',
      url: '/onPremisesPublishingProfiles/applicationProxy/connectors',
      headers: { 'Content-Type': 'application/json' },
      body: { machineName: `fleet${i}.contoso.com`, externalIp: '10.3.0.1' },
    }));
    const reply = await t.call('POST', '/beta/$batch', { tenant, body: { requests } });
    expect(reply.status).toBe(200);
    expect(reply.body.responses.map((r: { status: number }) => r.status)).toEqual(Array.from({ length: 20 }, () => 201));
    expect((await readDoc(t.container, tenant, defaultGroupId(tenant)))?.memberCount).toBe(21);
  });
});
