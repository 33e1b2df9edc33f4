/**
 * Store round trips of the directory operations behind `$expand` and the `$ref` removals (issue 13):
 * deterministic counts, so they are tests. Each Store method is one Cosmos round trip (see store.ts);
 * a counting Store sees every call the directory makes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreDirectory } from '../../src/directory/directory.js';
import { containerIndexingPolicy, defaultGroupId } from '../../src/directory/documents.js';
import { Store } from '../../src/store/store.js';
import { connectTestCosmos, createTestContainer, type TestContainer, type TestCosmos } from '../support/cosmos.js';

let cosmos: TestCosmos;
let made: TestContainer;
let calls: string[] = [];

class CountingStore extends Store {
  override read: Store['read'] = (...args) => (calls.push('read'), super.read(...args));
  override all: Store['all'] = (...args) => (calls.push('all'), super.all(...args));
  override page: Store['page'] = (...args) => (calls.push('page'), super.page(...args));
  override count: Store['count'] = (...args) => (calls.push('count'), super.count(...args));
  override batch: Store['batch'] = (...args) => (calls.push('batch'), super.batch(...args));
  override create: Store['create'] = (...args) => (calls.push('create'), super.create(...args));
}

let directory: StoreDirectory;

beforeAll(async () => {
  cosmos = await connectTestCosmos();
  made = await createTestContainer(cosmos.client, { prefix: 'costs', indexingPolicy: containerIndexingPolicy() });
  directory = new StoreDirectory(new CountingStore(made.container));
});

afterAll(async () => {
  await made?.dispose();
  await cosmos?.close();
});

async function counted<T>(run: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  calls = [];
  const result = await run();
  return { result, calls: [...calls] };
}

describe('round trips', () => {
  it('members of a page of groups: two queries, whether the page has 1 group or 12', async () => {
    const tenant = { tenantId: randomUUID() };
    const groups: { id: string }[] = [];
    for (let i = 0; i < 12; i++) groups.push(await directory.createGroup(tenant, { name: `g${i}` }));
    for (let i = 0; i < 24; i++) {
      const c = await directory.createConnector(tenant, { machineName: `c${i}.contoso.com`, externalIp: '10.0.0.1' });
      await directory.moveConnector(tenant, c.id, groups[i % 12]!.id);
    }
    const one = await counted(() => directory.membersOfGroups(tenant, [groups[0]!.id]));
    expect(one.calls).toEqual(['all', 'all']);
    expect(one.result.get(groups[0]!.id)).toHaveLength(2);
    const twelve = await counted(() =>
      directory.membersOfGroups(
        tenant,
        groups.map((g) => g.id),
      ),
    );
    expect(twelve.calls).toEqual(['all', 'all']);
    expect([...twelve.result.values()].map((m) => m.length)).toEqual(groups.map(() => 2));
    // Groups without members: the second query is not needed.
    const empty = await directory.createGroup(tenant, { name: 'empty' });
    expect((await counted(() => directory.membersOfGroups(tenant, [empty.id]))).calls).toEqual(['all']);
  });

  it('the group of a page of connectors: two queries', async () => {
    const tenant = { tenantId: randomUUID() };
    const ids: string[] = [];
    for (let i = 0; i < 8; i++)
      ids.push((await directory.createConnector(tenant, { machineName: `c${i}.contoso.com`, externalIp: '10.0.0.1' })).id);
    const { result, calls: made } = await counted(() => directory.groupsOfConnectors(tenant, ids));
    expect(made).toEqual(['all', 'all']);
    expect(new Set([...result.values()].map((g) => g.id))).toEqual(new Set([defaultGroupId(tenant.tenantId)]));
  });

  it('removing a member: one point read and one transactional batch, like any move', async () => {
    const tenant = { tenantId: randomUUID() };
    const g = await directory.createGroup(tenant, { name: 'g' });
    const c = await directory.createConnector(tenant, { machineName: 'c.contoso.com', externalIp: '10.0.0.1' });
    await directory.moveConnector(tenant, c.id, g.id);
    const { calls: made } = await counted(() => directory.removeMember(tenant, g.id, c.id));
    expect(made).toEqual(['read', 'batch']);
    expect((await directory.groupOfConnector(tenant, c.id)).id).toBe(defaultGroupId(tenant.tenantId));
  });
});
