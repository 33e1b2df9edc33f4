/**
 * The audit record of every change (docs/API.md, "Audit log"), read straight from Cosmos DB through the SDK:
 * each changing request under both versions and as `$batch` items leaves exactly its record, with Entra's
 * names, the caller, and the right old and new values; a refused request, a replayed create and the Default
 * group made on first need leave none.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { defaultGroupId } from '../../src/directory/documents.js';
import { target, type AuditDoc } from '../../src/directory/audit.js';
import { startTestApp, type CallOptions, type TestApp } from '../support/app.js';
import { tokenFor } from '../support/tokens.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

/** A tenant's records, oldest first. */
async function records(tenant: string): Promise<AuditDoc[]> {
  const { resources } = await t.container.items
    .query<AuditDoc>(
      {
        query: "SELECT * FROM c WHERE c.tenantId = @t AND c.type = 'directoryAudit' ORDER BY c.activityDateTime",
        parameters: [{ name: '@t', value: tenant }],
      },
      { partitionKey: tenant },
    )
    .fetchAll();
  return resources;
}

/** Runs `action` and answers the records it left. */
async function recorded(tenant: string, action: () => Promise<unknown>): Promise<AuditDoc[]> {
  const before = new Set((await records(tenant)).map((r) => r.id));
  await action();
  return (await records(tenant)).filter((r) => !before.has(r.id));
}

const json = (value: unknown) => JSON.stringify(value);
const change = (displayName: string, oldValue: unknown, newValue: unknown) => ({
  displayName,
  oldValue: oldValue === null ? null : json(oldValue),
  newValue: newValue === null ? null : json(newValue),
});

for (const version of ['beta', 'v1.0'] as const) {
  describe(`each change under ${version} leaves exactly its record`, () => {
    const tenant = randomUUID();
    const profile = `/${version}/onPremisesPublishingProfiles/applicationProxy`;
    const groupRef = (id: string) => ({
      '@odata.id': `https://graph.microsoft.com/${version}/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${id}`,
    });
    const connectorRef = (id: string) => ({
      '@odata.id': `https://graph.microsoft.com/${version}/onPremisesPublishingProfiles/applicationProxy/connectors/${id}`,
    });
    const defaultId = defaultGroupId(tenant);
    let oid: string;
    /** A call with a client-request-id and a user agent of its own, which its record must carry. */
    const send = async (method: string, path: string, options: CallOptions = {}) => {
      const clientRequestId = randomUUID();
      // X-Forwarded-For as Azure's front end sends it: the caller's address (and port) appended last.
      const headers = {
        'client-request-id': clientRequestId,
        'user-agent': 'audit-test/1.0',
        'x-forwarded-for': '198.51.100.9, 203.0.113.7:50123',
        ...options.headers,
      };
      const reply = await t.call(method, path, { tenant, ...options, headers });
      expect(reply.status, reply.text).toBeLessThan(300);
      return { reply, clientRequestId };
    };
    /** The one record `method path` leaves, checked for what every record has. */
    const only = async (method: string, path: string, options: CallOptions = {}) => {
      let sent: Awaited<ReturnType<typeof send>> | undefined;
      const made = await recorded(tenant, async () => (sent = await send(method, path, options)));
      expect(made, `${method} ${path}`).toHaveLength(1);
      const [record] = made as [AuditDoc];
      expect(record).toMatchObject({
        tenantId: tenant,
        type: 'directoryAudit',
        ttl: 30 * 86_400,
        correlationId: sent!.clientRequestId,
        result: 'success',
        resultReason: '',
        loggedByService: 'Application Proxy',
        userAgent: 'audit-test/1.0',
        initiatedBy: {
          user: { id: oid, displayName: 'Local Developer', ipAddress: '203.0.113.7', homeTenantId: tenant, homeTenantName: null },
          app: null,
        },
        additionalDetails: [],
      });
      expect(record.activityDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(record.activityDateTime) - Date.now())).toBeLessThan(60_000);
      return { record, reply: sent!.reply };
    };
    const activity = (r: AuditDoc) => [r.activityDisplayName, r.category, r.operationType];

    beforeAll(async () => {
      oid = String(decodeJwt(await tokenFor(tenant, 'Directory.ReadWrite.All')).oid);
    });

    it('groups: create (both routes), update, delete', async () => {
      const created = await only('POST', `${profile}/connectorGroups`, { body: { name: 'eu', region: 'eur' } });
      const id = created.reply.body.id as string;
      expect(activity(created.record)).toEqual(['Add connector Group', 'ResourceManagement', 'Add']);
      expect(created.record.targetResources).toEqual([
        target('ConnectorGroup', id, 'eu', [change('Name', null, 'eu'), change('Region', null, 'eur')]),
      ]);
      // Graph's targetResource, and the stored form of a value: JSON text inside a string.
      expect(created.record.targetResources[0]).toEqual({
        id,
        displayName: 'eu',
        type: 'ConnectorGroup',
        userPrincipalName: null,
        groupType: null,
        modifiedProperties: [
          { displayName: 'Name', oldValue: null, newValue: '"eu"' },
          { displayName: 'Region', oldValue: null, newValue: '"eur"' },
        ],
      });

      const older = await only('POST', `/${version}/connectorGroups`, { body: { name: 'older' } });
      expect(older.record.targetResources).toEqual([
        target('ConnectorGroup', older.reply.body.id, 'older', [change('Name', null, 'older')]),
      ]);

      const updated = await only('PATCH', `${profile}/connectorGroups/${id}`, { body: { name: 'eu-west' } });
      expect(activity(updated.record)).toEqual(['Update Connector Group', 'ResourceManagement', 'Update']);
      expect(updated.record.targetResources).toEqual([
        target('ConnectorGroup', id, 'eu-west', [change('Name', 'eu', 'eu-west'), change('Included Updated Properties', null, 'Name')]),
      ]);

      const cleared = await only('PATCH', `${profile}/connectorGroups/${id}`, { body: { region: null } });
      expect(cleared.record.targetResources[0]!.modifiedProperties).toEqual([
        change('Region', 'eur', null),
        change('Included Updated Properties', null, 'Region'),
      ]);

      const deleted = await only('DELETE', `${profile}/connectorGroups/${id}`);
      expect(activity(deleted.record)).toEqual(['Delete Connector Group', 'ResourceManagement', 'Delete']);
      expect(deleted.record.targetResources).toEqual([target('ConnectorGroup', id, 'eu-west', [])]);
    });

    it('connectors: register (the Default group made on the way is not recorded), update, delete', async () => {
      const registered = await only('POST', `${profile}/connectors`, { body: { machineName: 'c1.contoso.com', externalIp: '10.0.0.1' } });
      const id = registered.reply.body.id as string;
      expect(activity(registered.record)).toEqual(['Register connector', 'ResourceManagement', 'Add']);
      expect(registered.record.targetResources).toEqual([
        target('Connector', id, 'c1.contoso.com', [
          change('MachineName', null, 'c1.contoso.com'),
          change('ExternalIp', null, '10.0.0.1'),
          change('Status', null, 'active'),
          change('Version', null, ''),
        ]),
        target('ConnectorGroup', defaultId, 'Default', [change('ConnectorId', null, id)]),
      ]);

      const updated = await only('PATCH', `${profile}/connectors/${id}`, { body: { status: 'inactive', version: '1.5' } });
      expect(activity(updated.record)).toEqual(['Update connector', 'ResourceManagement', 'Update']);
      expect(updated.record.targetResources[0]!.modifiedProperties).toEqual([
        change('Status', 'active', 'inactive'),
        change('Version', '', '1.5'),
        change('Included Updated Properties', null, 'Status, Version'),
      ]);

      const etag = (await t.call('GET', `${profile}/connectors/${id}`, { tenant })).headers.get('etag')!;
      const deleted = await only('DELETE', `${profile}/connectors/${id}`, { headers: { 'if-match': etag } });
      expect(activity(deleted.record)).toEqual(['Delete connector', 'ResourceManagement', 'Delete']);
      expect(deleted.record.targetResources).toEqual([
        target('Connector', id, 'c1.contoso.com', [change('ConnectorGroupId', defaultId, null)]),
        target('ConnectorGroup', defaultId, null, [change('ConnectorId', id, null)]),
      ]);
    });

    it('every form of move into a group and of removal from one', async () => {
      const group = (await t.createGroup(tenant)).id as string;
      const app = randomUUID();
      const added = (connector: string) => [
        target('ConnectorGroup', group, null, [change('ConnectorId', null, connector)]),
        target('Connector', connector, null, [change('ConnectorGroupId', defaultId, group)]),
      ];
      const removed = (connector: string) => [
        target('ConnectorGroup', group, null, [change('ConnectorId', connector, null)]),
        target('Connector', connector, null, [change('ConnectorGroupId', group, defaultId)]),
      ];
      const moves: [string, (c: string) => [string, CallOptions]][] = [
        ['POST connectors/{id}/memberOf/$ref', (c) => [`${profile}/connectors/${c}/memberOf/$ref`, { body: groupRef(group) }]],
        ['POST connectorGroups/{id}/members/$ref', (c) => [`${profile}/connectorGroups/${group}/members/$ref`, { body: connectorRef(c) }]],
      ];
      const removals: [string, (c: string) => string][] = [
        [
          'DELETE connectorGroups/{id}/members/$ref?$id=',
          (c) => `${profile}/connectorGroups/${group}/members/$ref?$id=${encodeURIComponent(connectorRef(c)['@odata.id'])}`,
        ],
        ['DELETE connectorGroups/{id}/members/{id}/$ref', (c) => `${profile}/connectorGroups/${group}/members/${c}/$ref`],
        [
          'DELETE connectors/{id}/memberOf/$ref?$id=',
          (c) => `${profile}/connectors/${c}/memberOf/$ref?$id=${encodeURIComponent(groupRef(group)['@odata.id'])}`,
        ],
        ['DELETE connectors/{id}/memberOf/{id}/$ref', (c) => `${profile}/connectors/${c}/memberOf/${group}/$ref`],
      ];
      for (const [name, move] of moves) {
        for (const [removalName, removal] of removals) {
          const connector = (await t.createConnector(tenant)).id as string;
          const [path, options] = move(connector);
          const add = await only('POST', path, options);
          expect([name, ...activity(add.record)]).toEqual([name, 'Add a Connector to Connector Group', 'ResourceManagement', 'Assign']);
          expect(add.record.targetResources).toEqual(added(connector));
          const remove = await only('DELETE', removal(connector));
          expect([removalName, ...activity(remove.record)]).toEqual([
            removalName,
            'Remove a Connector from Connector Group',
            'ResourceManagement',
            'Unassign',
          ]);
          expect(remove.record.targetResources).toEqual(removed(connector));
        }
      }
      // Through an application's group (seed 002): a move out of the group it is in now.
      const connector = (await t.createConnector(tenant)).id as string;
      const through = await only('POST', `/${version}/applications/${app}/connectorGroup/members/${connector}/memberOf/$ref`, {
        body: groupRef(group),
      });
      expect(activity(through.record)).toEqual(['Add a Connector to Connector Group', 'ResourceManagement', 'Assign']);
      expect(through.record.targetResources).toEqual(added(connector));
    });

    it('applications: assign, reassign to Default, unassign', async () => {
      const [a, b] = [(await t.createGroup(tenant)).id as string, (await t.createGroup(tenant)).id as string];
      const app = randomUUID();
      const assignment = (from: string, to: string) => [
        target('Application', app, null, [change('ConnectorGroupId', from, to)]),
        target('ConnectorGroup', to, null, [change('ApplicationId', null, app)]),
      ];
      const assigned = await only('PUT', `/${version}/applications/${app}/connectorGroup/$ref`, { body: groupRef(a) });
      expect(activity(assigned.record)).toEqual(['Update application', 'ApplicationManagement', 'Assign']);
      expect(assigned.record.targetResources).toEqual(assignment(defaultId, a));
      expect(
        (await only('PUT', `/${version}/applications/${app}/connectorGroup/$ref`, { body: groupRef(b) })).record.targetResources,
      ).toEqual(assignment(a, b));
      expect(
        (await only('PUT', `/${version}/applications/${app}/connectorGroup/$ref`, { body: groupRef(defaultId) })).record.targetResources,
      ).toEqual(assignment(b, defaultId));
      await only('PUT', `/${version}/applications/${app}/connectorGroup/$ref`, { body: groupRef(a) });
      const unassigned = await only('DELETE', `/${version}/applications/${app}/connectorGroup/$ref`);
      expect(activity(unassigned.record)).toEqual(['Update application', 'ApplicationManagement', 'Unassign']);
      expect(unassigned.record.targetResources).toEqual(assignment(a, defaultId));
      // Already where it is asked to be: nothing changes, nothing is recorded.
      expect(
        await recorded(tenant, () => send('PUT', `/${version}/applications/${app}/connectorGroup/$ref`, { body: groupRef(defaultId) })),
      ).toEqual([]);
    });
  });
}

describe('no record without a change', () => {
  it('a refused or failed request leaves none; a create replayed with its client-request-id leaves one', async () => {
    const tenant = randomUUID();
    const group = await t.createGroup(tenant);
    const connector = await t.createConnector(tenant);
    const before = await records(tenant);
    const refusals: [string, string, CallOptions][] = [
      ['DELETE', `/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${defaultGroupId(tenant)}`, {}],
      [
        'PATCH',
        `/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${group.id}`,
        { body: { name: 'x' }, headers: { 'if-match': 'W/"stale"' } },
      ],
      [
        'POST',
        `/beta/onPremisesPublishingProfiles/applicationProxy/connectors/${connector.id}/memberOf/$ref`,
        { body: { '@odata.id': `connectorGroups/${randomUUID()}` } },
      ],
      [
        'POST',
        `/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups`,
        { body: { name: 'read-only' }, scope: 'Directory.Read.All' },
      ],
      ['POST', `/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups`, { body: { name: 7 } }],
      ['DELETE', `/beta/applications/${randomUUID()}/connectorGroup/$ref`, {}],
    ];
    for (const [method, path, options] of refusals) {
      const reply = await t.call(method, path, { tenant, ...options });
      expect(reply.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
    }
    expect(await records(tenant)).toEqual(before);

    const headers = { 'client-request-id': randomUUID() };
    const path = '/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups';
    const made = await recorded(tenant, async () => {
      const first = await t.call('POST', path, { tenant, body: { name: 'once' }, headers });
      const again = await t.call('POST', path, { tenant, body: { name: 'once' }, headers });
      expect([first.status, again.status, again.body.id]).toEqual([201, 201, first.body.id]);
    });
    expect(made.map((r) => [r.activityDisplayName, r.correlationId])).toEqual([['Add connector Group', headers['client-request-id']]]);
  });
});

describe('$batch', () => {
  it('each changing item leaves its own record, with its own correlation id; reads and failed items none', async () => {
    const tenant = randomUUID();
    const group = await t.createGroup(tenant);
    const batchId = randomUUID();
    const requests = [
      {
        id: '1',
        method: 'POST',
        url: '/onPremisesPublishingProfiles/applicationProxy/connectorGroups',
        headers: { 'Content-Type': 'application/json', 'client-request-id': 'item-one', 'X-Forwarded-For': '192.0.2.66' },
        body: { name: 'b1' },
      },
      {
        id: '2',
        method: 'POST',
        url: '/v1.0/onPremisesPublishingProfiles/applicationProxy/connectors',
        headers: { 'Content-Type': 'application/json' },
        body: { machineName: 'b.contoso.com', externalIp: '10.0.0.2' },
      },
      {
        id: '3',
        method: 'PATCH',
        url: `/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${group.id}`,
        headers: { 'Content-Type': 'application/json' },
        body: { name: 'renamed' },
      },
      { id: '4', method: 'GET', url: `/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${group.id}` },
      { id: '5', method: 'DELETE', url: `/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${defaultGroupId(tenant)}` },
    ];
    const made = await recorded(tenant, async () => {
      const headers = { 'client-request-id': batchId, 'user-agent': 'batch-agent/2', 'x-forwarded-for': '203.0.113.8:40000' };
      const reply = await t.call('POST', '/beta/$batch', { tenant, body: { requests }, headers });
      expect(reply.body.responses.map((r: { id: string; status: number }) => [r.id, r.status]).sort()).toEqual([
        ['1', 201],
        ['2', 201],
        ['3', 200],
        ['4', 200],
        ['5', 409],
      ]);
    });
    const byActivity = Object.fromEntries(made.map((r) => [r.activityDisplayName, r]));
    expect(Object.keys(byActivity).sort()).toEqual(['Add connector Group', 'Register connector', 'Update Connector Group']);
    expect(made).toHaveLength(3);
    expect(byActivity['Add connector Group']!.correlationId).toBe('item-one');
    expect(byActivity['Register connector']!.correlationId).toBe(batchId);
    expect(byActivity['Update Connector Group']!.targetResources[0]!.modifiedProperties[0]).toEqual(change('Name', group.name, 'renamed'));
    for (const record of made) {
      expect(record.userAgent).toBe('batch-agent/2');
      // The batch's address, whatever an item claims (items' forwarding headers are the batch's to set).
      expect(record.initiatedBy.user?.ipAddress).toBe('203.0.113.8');
    }
  });
});
