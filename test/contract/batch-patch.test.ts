/**
 * Contract tests: Patch operations inside a transactional batch (counters changed with `incr` in the
 * same batch as the write they count, so concurrent writers never conflict on the counter document).
 * Embedded server by default, a real account when COSMOS_ENDPOINT or COSMOS_CONNECTION_STRING is set.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, ItemDefinition, OperationInput, PatchOperationInput } from '@azure/cosmos';
import { connectTestCosmos, createTestContainer, type TestContainer, type TestCosmos } from '../support/cosmos.js';

interface Group extends ItemDefinition {
  id: string;
  tenantId: string;
  name?: string;
  region?: string;
  memberCount?: number;
  tags?: string[];
  note?: string;
}

let cosmos: TestCosmos;
let testContainer: TestContainer;
let container: Container;

beforeAll(async () => {
  cosmos = await connectTestCosmos();
  testContainer = await createTestContainer(cosmos.client, { prefix: 'patchbatch' });
  container = testContainer.container;
});

afterAll(async () => {
  await testContainer?.dispose();
  await cosmos?.close();
});

const newTenant = (): string => `t-${randomUUID()}`;

async function create(doc: Group): Promise<Group> {
  const { resource } = await container.items.create<Group>(doc);
  if (!resource) throw new Error(`create ${doc.id} returned no body`);
  return resource;
}

async function read(id: string, tenantId: string): Promise<Group | undefined> {
  const { resource } = await container.item(id, tenantId).read<Group>();
  return resource;
}

function incr(id: string, value: number, extra: Partial<PatchOperationInput> = {}): PatchOperationInput {
  return { operationType: 'Patch', id, resourceBody: { operations: [{ op: 'incr', path: '/memberCount', value }] }, ...extra };
}

describe('Patch in a transactional batch', () => {
  it('applies incr, set, add, replace and remove with a current If-Match, beside a Create', async () => {
    const t = newTenant();
    const group = await create({ id: 'g', tenantId: t, name: 'one', region: 'eu', memberCount: 2, tags: ['a'], note: 'x' });

    const response = await container.items.batch(
      [
        { operationType: 'Create', resourceBody: { id: 'c1', tenantId: t } },
        {
          operationType: 'Patch',
          id: 'g',
          ifMatch: group._etag,
          resourceBody: {
            operations: [
              { op: 'incr', path: '/memberCount', value: 1 },
              { op: 'set', path: '/name', value: 'two' },
              { op: 'add', path: '/tags/-', value: 'b' },
              { op: 'replace', path: '/region', value: 'us' },
              { op: 'remove', path: '/note' },
            ],
          },
        },
      ],
      t,
    );

    expect(response.code).toBe(200);
    expect(response.result?.map((r) => r.statusCode)).toEqual([201, 200]);
    const patched = await read('g', t);
    expect(patched).toMatchObject({ name: 'two', region: 'us', memberCount: 3, tags: ['a', 'b'] });
    expect(patched?.note).toBeUndefined();
    expect(patched?._etag).not.toBe(group._etag);
    expect(response.result?.[1]?.eTag).toBe(patched?._etag);
    expect((response.result?.[1]?.resourceBody as Group | undefined)?.memberCount).toBe(3);
    expect(await read('c1', t)).toBeDefined();
  });

  it('accepts the operations as a bare list and with a per-operation partitionKey', async () => {
    const t = newTenant();
    await create({ id: 'g', tenantId: t, memberCount: 0 });
    const response = await container.items.batch(
      [
        { operationType: 'Patch', id: 'g', partitionKey: t, resourceBody: [{ op: 'incr', path: '/memberCount', value: 5 }] },
        { operationType: 'Patch', id: 'g', resourceBody: [{ op: 'incr', path: '/memberCount', value: -2 }] },
      ],
      t,
    );
    expect(response.result?.map((r) => r.statusCode)).toEqual([200, 200]);
    expect((await read('g', t))?.memberCount).toBe(3);
  });

  it('fails as a whole with 404 when the patched document is missing: the others 424, nothing applied', async () => {
    const t = newTenant();
    const group = await create({ id: 'g', tenantId: t, memberCount: 1 });
    const response = await container.items.batch(
      [incr('g', 1), { operationType: 'Create', resourceBody: { id: 'c1', tenantId: t } }, incr('gone', 1)],
      t,
    );
    expect(response.code).toBe(207);
    expect(response.result?.map((r) => r.statusCode)).toEqual([424, 424, 404]);
    const after = await read('g', t);
    expect(after?.memberCount).toBe(1);
    expect(after?._etag).toBe(group._etag);
    expect(await read('c1', t)).toBeUndefined();
  });

  it('fails as a whole with 412 on a stale If-Match: the others 424, nothing applied', async () => {
    const t = newTenant();
    const stale = await create({ id: 'g', tenantId: t, memberCount: 1 });
    const { resource: current } = await container.item('g', t).replace<Group>({ id: 'g', tenantId: t, memberCount: 10 });
    const response = await container.items.batch(
      [{ operationType: 'Create', resourceBody: { id: 'c1', tenantId: t } }, incr('g', 1, { ifMatch: stale._etag })],
      t,
    );
    expect(response.code).toBe(207);
    expect(response.result?.map((r) => r.statusCode)).toEqual([424, 412]);
    const after = await read('g', t);
    expect(after?.memberCount).toBe(10);
    expect(after?._etag).toBe(current?._etag);
    expect(await read('c1', t)).toBeUndefined();
  });

  it('rolls back an applied patch when a later operation fails (409)', async () => {
    const t = newTenant();
    const group = await create({ id: 'g', tenantId: t, memberCount: 4 });
    await create({ id: 'dup', tenantId: t });
    const response = await container.items.batch([incr('g', 1), { operationType: 'Create', resourceBody: { id: 'dup', tenantId: t } }], t);
    expect(response.result?.map((r) => r.statusCode)).toEqual([424, 409]);
    const after = await read('g', t);
    expect(after?.memberCount).toBe(4);
    expect(after?._etag).toBe(group._etag);
  });

  it('honours a patch condition: 412 when false (nothing applied), 200 when true', async () => {
    const t = newTenant();
    await create({ id: 'g', tenantId: t, region: 'Europe', memberCount: 0 });
    const conditional = (condition: string): OperationInput => ({
      operationType: 'Patch',
      id: 'g',
      resourceBody: { condition, operations: [{ op: 'set', path: '/region', value: 'Asia' }] },
    });

    const refused = await container.items.batch([incr('g', 1), conditional("from c where c.memberCount = 0 AND c.region = 'europe'")], t);
    expect(refused.result?.map((r) => r.statusCode)).toEqual([424, 412]);
    expect(await read('g', t)).toMatchObject({ region: 'Europe', memberCount: 0 });

    // The condition sees the batch's earlier operations (memberCount is 1 by then).
    const accepted = await container.items.batch([incr('g', 1), conditional("from c where c.memberCount = 1 AND c.region = 'Europe'")], t);
    expect(accepted.result?.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(await read('g', t)).toMatchObject({ region: 'Asia', memberCount: 1 });
  });

  it('fails as a whole with 400 when incr targets a non-number', async () => {
    const t = newTenant();
    const group = await create({ id: 'g', tenantId: t, name: 'n', memberCount: 0 });
    const response = await container.items.batch(
      [incr('g', 1), { operationType: 'Patch', id: 'g', resourceBody: { operations: [{ op: 'incr', path: '/name', value: 1 }] } }],
      t,
    );
    expect(response.result?.map((r) => r.statusCode)).toEqual([424, 400]);
    expect((await read('g', t))?._etag).toBe(group._etag);
  });

  it('keeps a counter exact under concurrent batches that increment it (no conflicts)', async () => {
    const t = newTenant();
    await create({ id: 'g', tenantId: t, memberCount: 0 });
    const writers = 24;
    const responses = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        container.items.batch([{ operationType: 'Create', resourceBody: { id: `m${i}`, tenantId: t } }, incr('g', 1)], t),
      ),
    );
    expect(responses.map((r) => r.code)).toEqual(Array.from({ length: writers }, () => 200));
    expect((await read('g', t))?.memberCount).toBe(writers);
  });
});
