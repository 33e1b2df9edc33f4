/**
 * The directory's rules (docs/API.md, "Membership and assignment"), one per test, on StoreDirectory over an
 * in-memory store: no HTTP, no Cosmos server. What each rule answers a Graph client is tested over HTTP
 * (test/http); that the real store behaves as the in-memory one is what test/contract proves.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { StoreDirectory } from '../../src/directory/directory.js';
import { assignmentId, defaultGroupId, membershipId, type GroupDoc } from '../../src/directory/documents.js';
import { DomainError, type DomainFailure } from '../../src/directory/errors.js';
import type { Stored } from '../../src/lib/query.js';
import { MemoryStore } from '../support/memory-store.js';

const TENANT = randomUUID();
/** The directory's calls in this tenant, with no deadline. */
const SCOPE = { tenantId: TENANT };
let store: MemoryStore;
let directory: StoreDirectory;

beforeEach(() => {
  store = new MemoryStore();
  directory = new StoreDirectory(store);
});

const connectorInput = { machineName: 'host-1', externalIp: '10.0.0.1' };
const newGroup = (name = 'G') => directory.createGroup(SCOPE, { name });
const newConnector = () => directory.createConnector(SCOPE, connectorInput);
const counts = async (groupId: string) => {
  const g = await directory.group(SCOPE, groupId);
  return { members: g.memberCount, applications: g.applicationCount };
};
const edgeOf = async (connectorId: string) =>
  (await store.read<{ id: string; tenantId: string; type: 'connectorMembership'; groupId: string }>(SCOPE, membershipId(connectorId)))
    ?.groupId;

/** The failure a call is refused with. */
async function refusal(call: Promise<unknown>): Promise<DomainFailure> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error.failure;
}

/** A call that is refused writes nothing. */
async function refusedWithoutWriting(call: () => Promise<unknown>): Promise<DomainFailure> {
  const before = JSON.stringify(store.documents(TENANT));
  const failure = await refusal(call());
  expect(JSON.stringify(store.documents(TENANT))).toBe(before);
  return failure;
}

describe('the Default group', () => {
  it('has an id derived from the tenant, and exists once anything is read', async () => {
    expect(await directory.countGroups(SCOPE)).toBe(1);
    const dflt = await directory.group(SCOPE, defaultGroupId(TENANT));
    expect(dflt).toMatchObject({ name: 'Default', isDefault: true, memberCount: 0, applicationCount: 0 });
  });

  it('cannot be deleted', async () => {
    await directory.countGroups(SCOPE);
    expect(await refusedWithoutWriting(() => directory.deleteGroup(SCOPE, defaultGroupId(TENANT), undefined))).toEqual({
      kind: 'refused',
      rule: 'deleteDefault',
    });
  });

  it('cannot be created again under its id', async () => {
    const id = defaultGroupId(TENANT);
    expect(await refusal(directory.createGroup(SCOPE, { name: 'x', id }))).toEqual({ kind: 'exists', id });
  });

  it('stays the default: isDefault false is refused on it', async () => {
    await directory.countGroups(SCOPE);
    const failure = await refusedWithoutWriting(() =>
      directory.updateGroup(SCOPE, defaultGroupId(TENANT), { isDefault: false }, undefined),
    );
    expect(failure).toEqual({ kind: 'refused', rule: 'defaultStaysDefault' });
  });
});

describe('groups', () => {
  it('another group cannot be made the default', async () => {
    const g = await newGroup();
    expect(await refusedWithoutWriting(() => directory.updateGroup(SCOPE, g.id, { isDefault: true }, undefined))).toEqual({
      kind: 'refused',
      rule: 'onlyDefaultIsDefault',
    });
  });

  it('an empty group changes its region', async () => {
    const g = await newGroup();
    expect((await directory.updateGroup(SCOPE, g.id, { region: 'eur' }, undefined)).region).toBe('eur');
  });

  it('a group with a connector keeps its region', async () => {
    const g = await newGroup();
    await directory.moveConnector(SCOPE, (await newConnector()).id, g.id);
    expect(await refusedWithoutWriting(() => directory.updateGroup(SCOPE, g.id, { region: 'eur' }, undefined))).toEqual({
      kind: 'refused',
      rule: 'regionOfUsedGroup',
    });
  });

  it('a group with an application keeps its region', async () => {
    const g = await newGroup();
    await directory.assignApplication(SCOPE, randomUUID(), g.id);
    expect(await refusedWithoutWriting(() => directory.updateGroup(SCOPE, g.id, { region: 'eur' }, undefined))).toEqual({
      kind: 'refused',
      rule: 'regionOfUsedGroup',
    });
  });

  it('a group with a connector is not deleted', async () => {
    const g = await newGroup();
    await directory.moveConnector(SCOPE, (await newConnector()).id, g.id);
    expect(await refusedWithoutWriting(() => directory.deleteGroup(SCOPE, g.id, undefined))).toEqual({
      kind: 'refused',
      rule: 'deleteUsedGroup',
    });
  });

  it('a group with an application is not deleted', async () => {
    const g = await newGroup();
    await directory.assignApplication(SCOPE, randomUUID(), g.id);
    expect(await refusedWithoutWriting(() => directory.deleteGroup(SCOPE, g.id, undefined))).toEqual({
      kind: 'refused',
      rule: 'deleteUsedGroup',
    });
  });

  it('an empty group is deleted', async () => {
    const g = await newGroup();
    await directory.deleteGroup(SCOPE, g.id, undefined);
    expect(await refusal(directory.group(SCOPE, g.id))).toEqual({ kind: 'notFound', entity: 'connectorGroup' });
  });

  it("a caller's If-Match that no longer holds refuses the change", async () => {
    const g = await newGroup();
    await directory.updateGroup(SCOPE, g.id, { name: 'renamed' }, undefined);
    const stale = (etag: string) => etag === g._etag;
    expect(await refusedWithoutWriting(() => directory.updateGroup(SCOPE, g.id, { name: 'again' }, stale))).toEqual({
      kind: 'preconditionFailed',
    });
  });

  it('are seen only in their own tenant', async () => {
    const g = await newGroup();
    expect(await refusal(directory.group({ tenantId: randomUUID() }, g.id))).toEqual({ kind: 'notFound', entity: 'connectorGroup' });
  });
});

describe('membership', () => {
  it('a new connector is a member of the Default group, counted there', async () => {
    const c = await newConnector();
    expect(await edgeOf(c.id)).toBe(defaultGroupId(TENANT));
    expect(await counts(defaultGroupId(TENANT))).toEqual({ members: 1, applications: 0 });
  });

  it('adding a connector to a group moves it there, and both counts follow', async () => {
    const g = await newGroup();
    const c = await newConnector();
    const target: Stored<GroupDoc> = await directory.moveConnector(SCOPE, c.id, g.id);
    expect(target.id).toBe(g.id);
    expect(await edgeOf(c.id)).toBe(g.id);
    expect(await counts(g.id)).toEqual({ members: 1, applications: 0 });
    expect(await counts(defaultGroupId(TENANT))).toEqual({ members: 0, applications: 0 });
  });

  it('adding a connector to the group it is in is refused', async () => {
    const c = await newConnector();
    expect(await refusedWithoutWriting(() => directory.moveConnector(SCOPE, c.id, defaultGroupId(TENANT)))).toEqual({
      kind: 'refused',
      rule: 'alreadyMember',
    });
  });

  it('adding a connector to a group that does not exist is a missing group, and nothing moves', async () => {
    const c = await newConnector();
    expect(await refusedWithoutWriting(() => directory.moveConnector(SCOPE, c.id, randomUUID()))).toEqual({
      kind: 'notFound',
      entity: 'connectorGroup',
    });
  });

  it('adding a connector that does not exist is a missing connector', async () => {
    const g = await newGroup();
    expect(await refusedWithoutWriting(() => directory.moveConnector(SCOPE, randomUUID(), g.id))).toEqual({
      kind: 'notFound',
      entity: 'connector',
    });
  });

  it('a move through a group the connector is not in is a missing connector', async () => {
    const [a, b] = [await newGroup('A'), await newGroup('B')];
    const c = await newConnector();
    expect(await refusedWithoutWriting(() => directory.moveConnector(SCOPE, c.id, b.id, a.id))).toEqual({
      kind: 'notFound',
      entity: 'connector',
    });
  });

  it('removing a connector from a group returns it to Default, and both counts follow', async () => {
    const g = await newGroup();
    const c = await newConnector();
    await directory.moveConnector(SCOPE, c.id, g.id);
    await directory.removeMember(SCOPE, g.id, c.id);
    expect(await edgeOf(c.id)).toBe(defaultGroupId(TENANT));
    expect(await counts(g.id)).toEqual({ members: 0, applications: 0 });
    expect(await counts(defaultGroupId(TENANT))).toEqual({ members: 1, applications: 0 });
  });

  it('removing a connector from Default is refused', async () => {
    const c = await newConnector();
    expect(await refusedWithoutWriting(() => directory.removeMember(SCOPE, defaultGroupId(TENANT), c.id))).toEqual({
      kind: 'refused',
      rule: 'connectorStaysInDefault',
    });
  });

  it('removing a connector from a group it is not in is a missing connector', async () => {
    const g = await newGroup();
    const c = await newConnector();
    expect(await refusedWithoutWriting(() => directory.removeMember(SCOPE, g.id, c.id))).toEqual({ kind: 'notFound', entity: 'connector' });
  });

  it('removing from Default a connector that is elsewhere is a missing connector', async () => {
    const g = await newGroup();
    const c = await newConnector();
    await directory.moveConnector(SCOPE, c.id, g.id);
    expect(await refusedWithoutWriting(() => directory.removeMember(SCOPE, defaultGroupId(TENANT), c.id))).toEqual({
      kind: 'notFound',
      entity: 'connector',
    });
  });

  it('a deleted connector leaves its group: its edge is gone and the count follows', async () => {
    const g = await newGroup();
    const c = await newConnector();
    await directory.moveConnector(SCOPE, c.id, g.id);
    await directory.deleteConnector(SCOPE, c.id, undefined);
    expect(await edgeOf(c.id)).toBeUndefined();
    expect(await counts(g.id)).toEqual({ members: 0, applications: 0 });
  });

  it("a group's member count is its edges: unfiltered (the counter) and filtered (a query) agree", async () => {
    const g = await newGroup();
    for (let i = 0; i < 3; i++) await directory.moveConnector(SCOPE, (await newConnector()).id, g.id);
    expect(await directory.countMembers(SCOPE, g.id)).toBe(3);
    expect(await directory.countMembers(SCOPE, g.id, { filter: { kind: 'eq', property: 'status', value: 'active' } })).toBe(3);
  });

  it('a connector is in exactly one group', async () => {
    const c = await newConnector();
    expect(await directory.countMemberOf(SCOPE, c.id)).toBe(1);
    expect((await directory.groupOfConnector(SCOPE, c.id)).id).toBe(defaultGroupId(TENANT));
  });
});

describe('assignment', () => {
  it('an application never assigned is in the Default group', async () => {
    expect((await directory.groupOfApplication(SCOPE, randomUUID())).id).toBe(defaultGroupId(TENANT));
  });

  it('assigning an application counts it in its group', async () => {
    const g = await newGroup();
    const app = randomUUID();
    await directory.assignApplication(SCOPE, app, g.id);
    expect(await directory.groupIdOfApplication(SCOPE, app)).toBe(g.id);
    expect(await counts(g.id)).toEqual({ members: 0, applications: 1 });
  });

  it('reassigning an application moves its count from the old group to the new', async () => {
    const [a, b] = [await newGroup('A'), await newGroup('B')];
    const app = randomUUID();
    await directory.assignApplication(SCOPE, app, a.id);
    await directory.assignApplication(SCOPE, app, b.id);
    expect(await counts(a.id)).toEqual({ members: 0, applications: 0 });
    expect(await counts(b.id)).toEqual({ members: 0, applications: 1 });
  });

  it('assigning an application to Default removes its assignment', async () => {
    const g = await newGroup();
    const app = randomUUID();
    await directory.assignApplication(SCOPE, app, g.id);
    await directory.assignApplication(SCOPE, app, defaultGroupId(TENANT));
    expect(await store.read(SCOPE, assignmentId(app))).toBeUndefined();
    expect(await counts(g.id)).toEqual({ members: 0, applications: 0 });
  });

  it('unassigning returns the application to Default, and its group no longer counts it', async () => {
    const g = await newGroup();
    const app = randomUUID();
    await directory.assignApplication(SCOPE, app, g.id);
    await directory.unassignApplication(SCOPE, app);
    expect(await directory.groupIdOfApplication(SCOPE, app)).toBe(defaultGroupId(TENANT));
    expect(await counts(g.id)).toEqual({ members: 0, applications: 0 });
  });

  it('unassigning an application in Default is refused', async () => {
    await directory.countGroups(SCOPE);
    expect(await refusedWithoutWriting(() => directory.unassignApplication(SCOPE, randomUUID()))).toEqual({
      kind: 'refused',
      rule: 'applicationStaysInDefault',
    });
  });

  it('assigning to a group that does not exist is a missing group', async () => {
    await directory.countGroups(SCOPE);
    expect(await refusedWithoutWriting(() => directory.assignApplication(SCOPE, randomUUID(), randomUUID()))).toEqual({
      kind: 'notFound',
      entity: 'connectorGroup',
    });
  });

  it('an application assigned elsewhere is not found in a group', async () => {
    const [a, b] = [await newGroup('A'), await newGroup('B')];
    const app = randomUUID();
    await directory.assignApplication(SCOPE, app, a.id);
    expect(await refusal(directory.applicationOfGroup(SCOPE, b.id, app))).toEqual({ kind: 'notFound', entity: 'application' });
  });
});

describe('audit records (docs/API.md, "Audit log")', () => {
  const actor = {
    user: { id: randomUUID(), displayName: 'Ada', userPrincipalName: 'ada@contoso.com', ipAddress: '203.0.113.7', homeTenantId: TENANT },
    app: { appId: randomUUID(), displayName: 'Portal' },
    correlationId: 'corr-1',
    userAgent: 'unit/1',
  };
  const AS_ADA = { tenantId: TENANT, actor };
  const records = () => store.documents(TENANT).filter((d) => d.type === 'directoryAudit') as unknown as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('are written in the batch of the change they record, naming the caller, with the retention as ttl', async () => {
    directory = new StoreDirectory(store, { auditRetentionDays: 7 });
    const writes = store.writes;
    const group = await directory.createGroup(AS_ADA, { name: 'G', region: 'eur' });
    expect(store.writes - writes).toBe(1);
    const [record] = records();
    expect(record).toMatchObject({
      activityDisplayName: 'Add connector Group',
      ttl: 7 * 86_400,
      correlationId: 'corr-1',
      userAgent: 'unit/1',
      initiatedBy: { user: { ...actor.user, homeTenantName: null }, app: null },
      targetResources: [{ id: group.id, displayName: 'G', type: 'ConnectorGroup' }],
    });
    expect(record!.writeId).toBe((await store.read(SCOPE, group.id))?.writeId);
  });

  it('name the application only when no user signed in', async () => {
    await directory.createGroup({ tenantId: TENANT, actor: { ...actor, user: null } }, { name: 'G' });
    expect(records()[0]!.initiatedBy).toEqual({
      user: null,
      app: { appId: actor.app.appId, displayName: 'Portal', servicePrincipalId: null, servicePrincipalName: null },
    });
  });

  it('are not written for a refusal, for a change that changes nothing, or for the Default group made on first need', async () => {
    const connector = await directory.createConnector(AS_ADA, connectorInput);
    expect(records().map((r) => r.activityDisplayName)).toEqual(['Register connector']);
    await refusal(directory.deleteGroup(AS_ADA, defaultGroupId(TENANT), undefined));
    await refusal(directory.moveConnector(AS_ADA, connector.id, defaultGroupId(TENANT)));
    await refusal(directory.updateGroup(AS_ADA, defaultGroupId(TENANT), { isDefault: false }, undefined));
    await refusal(directory.unassignApplication(AS_ADA, randomUUID()));
    await directory.assignApplication(AS_ADA, randomUUID(), defaultGroupId(TENANT));
    expect(records()).toHaveLength(1);
  });

  it('are written once for a create retried with its client-request-id', async () => {
    const first = await directory.createConnector(AS_ADA, connectorInput, 'retry-1');
    const again = await directory.createConnector(AS_ADA, connectorInput, 'retry-1');
    expect(again.id).toBe(first.id);
    expect(records()).toHaveLength(1);
  });

  it('give a move the group joined and the one left, as old and new values', async () => {
    const group = await newGroup();
    const connector = await directory.createConnector(AS_ADA, connectorInput);
    await directory.moveConnector(AS_ADA, connector.id, group.id);
    await directory.removeMember(AS_ADA, group.id, connector.id);
    const [, , added, removed] = records();
    expect([added!.activityDisplayName, removed!.activityDisplayName]).toEqual([
      'Add a Connector to Connector Group',
      'Remove a Connector from Connector Group',
    ]);
    const groupIds = (r: Record<string, any>) => r.targetResources[1].modifiedProperties[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(groupIds(added!)).toEqual({
      displayName: 'ConnectorGroupId',
      oldValue: JSON.stringify(defaultGroupId(TENANT)),
      newValue: JSON.stringify(group.id),
    });
    expect(groupIds(removed!)).toEqual({
      displayName: 'ConnectorGroupId',
      oldValue: JSON.stringify(group.id),
      newValue: JSON.stringify(defaultGroupId(TENANT)),
    });
  });
});
