/**
 * Contract tests: each Cosmos DB behaviour the design relies on (docs/ARCHITECTURE.md, "Data in Cosmos DB" and "The store's transactional patterns").
 * They run against the embedded server by default and against a real account when COSMOS_ENDPOINT or
 * COSMOS_CONNECTION_STRING is set (see test/support/cosmos.ts), so the embedded server
 * (packages/cosmos-local) stays honest.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, FeedOptions, ItemDefinition, OperationInput, SqlQuerySpec } from '@azure/cosmos';
import { connectTestCosmos, createTestContainer, type TestContainer, type TestCosmos } from '../support/cosmos.js';

interface Doc extends ItemDefinition {
  id: string;
  tenantId: string;
  kind?: string;
  name?: string;
  group?: number;
  seq?: number;
  status?: string;
  archived?: boolean;
  value?: string;
}

let cosmos: TestCosmos;
let testContainer: TestContainer;
let container: Container;

beforeAll(async () => {
  cosmos = await connectTestCosmos();
  testContainer = await createTestContainer(cosmos.client, {
    prefix: 'contract',
    indexingPolicy: {
      indexingMode: 'consistent',
      automatic: true,
      includedPaths: [{ path: '/*' }],
      excludedPaths: [{ path: '/"_etag"/?' }],
      // Multi-field ORDER BY needs a matching composite index on Azure (and on the embedded server).
      compositeIndexes: [
        [
          { path: '/group', order: 'ascending' },
          { path: '/name', order: 'descending' },
        ],
      ],
    },
  });
  container = testContainer.container;
});

afterAll(async () => {
  await testContainer?.dispose();
  await cosmos?.close();
});

/** A fresh logical partition per test, so tests do not see each other's documents. */
const newTenant = (): string => `t-${randomUUID()}`;

/** The status of an SDK call: v4 resolves some failures (404 on read) and throws others (409, 412). */
async function statusOf(call: Promise<{ statusCode: number }>): Promise<number> {
  try {
    return (await call).statusCode;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'number') throw err;
    return code;
  }
}

async function createDocs(docs: Doc[]): Promise<Map<string, Doc>> {
  const created = new Map<string, Doc>();
  for (const doc of docs) {
    const { resource } = await container.items.create<Doc>(doc);
    if (!resource) throw new Error(`create ${doc.id} returned no body`);
    created.set(doc.id, resource);
  }
  return created;
}

async function readDoc(id: string, tenantId: string): Promise<Doc | undefined> {
  const { resource } = await container.item(id, tenantId).read<Doc>();
  return resource;
}

function etagOf(doc: Doc | undefined): string {
  if (!doc?._etag) throw new Error('document has no _etag');
  return doc._etag;
}

describe('optimistic concurrency (If-Match)', () => {
  it('replace succeeds with the current etag, then fails with 412 on the stale one', async () => {
    const t = newTenant();
    const created = await createDocs([{ id: 'g1', tenantId: t, value: 'v1' }]);
    const firstEtag = etagOf(created.get('g1'));

    const replaced = await container
      .item('g1', t)
      .replace<Doc>({ id: 'g1', tenantId: t, value: 'v2' }, { accessCondition: { type: 'IfMatch', condition: firstEtag } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.resource?.value).toBe('v2');
    expect(etagOf(replaced.resource)).not.toBe(firstEtag);

    const stale = container
      .item('g1', t)
      .replace<Doc>({ id: 'g1', tenantId: t, value: 'v3' }, { accessCondition: { type: 'IfMatch', condition: firstEtag } });
    expect(await statusOf(stale)).toBe(412);
    expect((await readDoc('g1', t))?.value).toBe('v2');
  });

  it('delete fails with 412 on a stale etag and succeeds with the current one', async () => {
    const t = newTenant();
    const created = await createDocs([{ id: 'g1', tenantId: t, value: 'v1' }]);
    const firstEtag = etagOf(created.get('g1'));
    const { resource: current } = await container.item('g1', t).replace<Doc>({ id: 'g1', tenantId: t, value: 'v2' });

    expect(await statusOf(container.item('g1', t).delete({ accessCondition: { type: 'IfMatch', condition: firstEtag } }))).toBe(412);
    expect((await readDoc('g1', t))?.value).toBe('v2');

    expect(await statusOf(container.item('g1', t).delete({ accessCondition: { type: 'IfMatch', condition: etagOf(current) } }))).toBe(204);
    expect(await statusOf(container.item('g1', t).read())).toBe(404);
  });
});

/**
 * A batch Delete guarded by If-Match. The SDK's DeleteOperationInput type has no `ifMatch`, but the
 * SDK sends the operation object as it is and the service honours `ifMatch` on Delete too.
 */
function deleteIfMatch(id: string, ifMatch: string, partitionKey?: string): OperationInput {
  return { operationType: 'Delete', id, ifMatch, ...(partitionKey === undefined ? {} : { partitionKey }) } as OperationInput;
}

describe('transactional batch', () => {
  it('is all or nothing: a stale If-Match in the middle fails with 412, the others 424, nothing applied', async () => {
    const t = newTenant();
    const created = await createDocs([
      { id: 'b', tenantId: t, value: 'b0' },
      { id: 'c', tenantId: t, value: 'c0' },
    ]);
    const staleB = etagOf(created.get('b'));
    const { resource: currentB } = await container.item('b', t).replace<Doc>({ id: 'b', tenantId: t, value: 'b1' });
    const cBefore = created.get('c');

    const ops: OperationInput[] = [
      { operationType: 'Create', resourceBody: { id: 'a', tenantId: t, value: 'a0' } },
      { operationType: 'Replace', id: 'b', resourceBody: { id: 'b', tenantId: t, value: 'b2' }, ifMatch: staleB },
      { operationType: 'Replace', id: 'c', resourceBody: { id: 'c', tenantId: t, value: 'c1' } },
    ];
    const response = await container.items.batch(ops, t);

    // A failed batch is not thrown by the SDK: it answers 207 Multi-Status with one result per op.
    expect(response.code).toBe(207);
    expect(response.result?.map((r) => r.statusCode)).toEqual([424, 412, 424]);
    expect(await statusOf(container.item('a', t).read())).toBe(404);
    const b = await readDoc('b', t);
    expect(b?.value).toBe('b1');
    expect(b?._etag).toBe(currentB?._etag);
    const c = await readDoc('c', t);
    expect(c?.value).toBe('c0');
    expect(c?._etag).toBe(cBefore?._etag);
  });

  it('rolls back an applied replace when a later create conflicts (409)', async () => {
    const t = newTenant();
    const created = await createDocs([
      { id: 'b', tenantId: t, value: 'b0' },
      { id: 'dup', tenantId: t, value: 'd0' },
    ]);
    const response = await container.items.batch(
      [
        { operationType: 'Replace', id: 'b', resourceBody: { id: 'b', tenantId: t, value: 'b1' }, ifMatch: etagOf(created.get('b')) },
        { operationType: 'Create', resourceBody: { id: 'new', tenantId: t } },
        { operationType: 'Create', resourceBody: { id: 'dup', tenantId: t, value: 'd1' } },
      ],
      t,
    );
    expect(response.code).toBe(207);
    expect(response.result?.map((r) => r.statusCode)).toEqual([424, 424, 409]);
    const b = await readDoc('b', t);
    expect(b?.value).toBe('b0');
    expect(b?._etag).toBe(created.get('b')?._etag);
    expect(await statusOf(container.item('new', t).read())).toBe(404);
    expect((await readDoc('dup', t))?.value).toBe('d0');
  });

  it('applies every operation when all succeed (per-operation partitionKey)', async () => {
    const t = newTenant();
    const created = await createDocs([
      { id: 'c', tenantId: t, value: 'c0' },
      { id: 'd', tenantId: t, value: 'd0' },
    ]);
    const response = await container.items.batch(
      [
        { operationType: 'Create', partitionKey: t, resourceBody: { id: 'a', tenantId: t, value: 'a0' } },
        { operationType: 'Upsert', partitionKey: t, resourceBody: { id: 'b', tenantId: t, value: 'b0' } },
        {
          operationType: 'Replace',
          partitionKey: t,
          id: 'c',
          resourceBody: { id: 'c', tenantId: t, value: 'c1' },
          ifMatch: etagOf(created.get('c')),
        },
        deleteIfMatch('d', etagOf(created.get('d')), t),
      ],
      t,
    );
    expect(response.code).toBe(200);
    expect(response.result?.map((r) => r.statusCode)).toEqual([201, 201, 200, 204]);
    expect((response.result?.[2]?.resourceBody as Doc | undefined)?.value).toBe('c1');
    expect((await readDoc('a', t))?.value).toBe('a0');
    expect((await readDoc('b', t))?.value).toBe('b0');
    const c = await readDoc('c', t);
    expect(c?.value).toBe('c1');
    expect(response.result?.[2]?.eTag).toBe(c?._etag);
    expect(await statusOf(container.item('d', t).read())).toBe(404);
  });

  it('accepts the SDK-doc shape: partition key only as the batch argument', async () => {
    const t = newTenant();
    await createDocs([
      { id: 'r', tenantId: t, value: 'r0' },
      { id: 'x', tenantId: t, value: 'x0' },
      { id: 'u', tenantId: t, value: 'u0' },
    ]);
    const response = await container.items.batch(
      [
        { operationType: 'Create', resourceBody: { id: 'a', tenantId: t, value: 'a0' } },
        { operationType: 'Upsert', resourceBody: { id: 'u', tenantId: t, value: 'u1' } },
        { operationType: 'Replace', id: 'r', resourceBody: { id: 'r', tenantId: t, value: 'r1' } },
        { operationType: 'Read', id: 'r' },
        { operationType: 'Delete', id: 'x' },
      ],
      t,
    );
    expect(response.code).toBe(200);
    expect(response.result?.map((r) => r.statusCode)).toEqual([201, 200, 200, 200, 204]);
    // The Read sees the Replace before it in the same batch.
    expect((response.result?.[3]?.resourceBody as Doc | undefined)?.value).toBe('r1');
    expect((await readDoc('a', t))?.value).toBe('a0');
    expect((await readDoc('u', t))?.value).toBe('u1');
    expect((await readDoc('r', t))?.value).toBe('r1');
    expect(await statusOf(container.item('x', t).read())).toBe(404);
  });

  it('gives 412 for a stale If-Match on Delete in a batch', async () => {
    const t = newTenant();
    const created = await createDocs([{ id: 'x', tenantId: t, value: 'x0' }]);
    const stale = etagOf(created.get('x'));
    await container.item('x', t).replace<Doc>({ id: 'x', tenantId: t, value: 'x1' });
    const response = await container.items.batch(
      [{ operationType: 'Create', resourceBody: { id: 'a', tenantId: t } }, deleteIfMatch('x', stale)],
      t,
    );
    expect(response.result?.map((r) => r.statusCode)).toEqual([424, 412]);
    expect((await readDoc('x', t))?.value).toBe('x1');
    expect(await statusOf(container.item('a', t).read())).toBe(404);
  });

  it('rejects a document whose partition key differs from the batch partition key, applying nothing', async () => {
    const t = newTenant();
    const other = newTenant();
    let statuses: number[];
    try {
      const response = await container.items.batch(
        [
          { operationType: 'Create', resourceBody: { id: 'a', tenantId: t } },
          { operationType: 'Create', resourceBody: { id: 'b', tenantId: other } },
        ],
        t,
      );
      statuses = response.result?.map((r) => r.statusCode) ?? [];
    } catch (err) {
      // Azure may also reject the whole request: the SDK then throws "Batch request error: ...".
      statuses = [/\b400\b|BadRequest|partition ?key/i.test(String((err as Error).message)) ? 400 : -1];
    }
    expect(statuses).toSatisfy((s: number[]) => (s.length === 1 && s[0] === 400) || (s.length === 2 && s[0] === 424 && s[1] === 400));
    expect(await statusOf(container.item('a', t).read())).toBe(404);
    expect(await statusOf(container.item('b', other).read())).toBe(404);
    expect(await statusOf(container.item('b', t).read())).toBe(404);
  });
});

interface Paged {
  pages: string[][];
}

/**
 * Reads a query page by page the way the API does: the first page from one iterator, every further
 * page from a fresh iterator resumed from the previous page's continuation token.
 */
async function readPages(query: SqlQuerySpec, options: FeedOptions, pageSize: number): Promise<Paged> {
  const pages: string[][] = [];
  let continuationToken: string | undefined;
  for (let i = 0; i < 100; i += 1) {
    const iterator = container.items.query<Doc>(query, { ...options, maxItemCount: pageSize, continuationToken });
    const page = await iterator.fetchNext();
    pages.push(page.resources.map((d) => d.id));
    continuationToken = page.continuationToken;
    if (!continuationToken) return { pages };
  }
  throw new Error('more than 100 pages');
}

describe('continuation-token paging', () => {
  const tenant = newTenant();
  // 25 documents, inserted out of id order; `name` has ties so ORDER BY must page through them.
  const docs: Doc[] = Array.from({ length: 25 }, (_, i) => {
    const n = (i * 7) % 25;
    return { id: `p${String(n).padStart(2, '0')}`, tenantId: tenant, seq: n, name: `n${n % 4}` };
  });

  beforeAll(async () => {
    await createDocs(docs);
  });

  const byTenant = { query: 'SELECT * FROM c WHERE c.tenantId = @t', parameters: [{ name: '@t', value: tenant }] };

  it('returns every document exactly once, in the same order as one unpaged read, last page without token', async () => {
    const { pages } = await readPages(byTenant, { partitionKey: tenant }, 10);
    const all = (await container.items.query<Doc>(byTenant, { partitionKey: tenant }).fetchAll()).resources.map((d) => d.id);
    expect(all).toHaveLength(25);
    expect(pages.flat()).toEqual(all);
    expect(new Set(pages.flat()).size).toBe(25);
    expect(pages.every((p) => p.length <= 10)).toBe(true);
    if (!cosmos.real) expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
  });

  it('pages an ORDER BY query in order', async () => {
    const query = { ...byTenant, query: `${byTenant.query} ORDER BY c.seq DESC` };
    const { pages } = await readPages(query, { partitionKey: tenant }, 10);
    const expected = Array.from({ length: 25 }, (_, i) => `p${String(24 - i).padStart(2, '0')}`);
    expect(pages.flat()).toEqual(expected);
    if (!cosmos.real) expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
  });

  it('pages an ORDER BY on a field with ties without losing or repeating documents', async () => {
    const query = { ...byTenant, query: `${byTenant.query} ORDER BY c.name ASC` };
    const { pages } = await readPages(query, { partitionKey: tenant }, 4);
    const ids = pages.flat();
    expect([...ids].sort()).toEqual(docs.map((d) => d.id).sort());
    const names = ids.map((id) => `n${Number(id.slice(1)) % 4}`);
    expect(names).toEqual([...names].sort());
    expect(pages.length).toBeGreaterThanOrEqual(7);
  });
});

describe('partition-scoped queries', () => {
  const kind = `scoped-${randomUUID()}`;
  const tenantA = newTenant();
  const tenantB = newTenant();

  beforeAll(async () => {
    await createDocs([
      { id: 'a1', tenantId: tenantA, kind },
      { id: 'a2', tenantId: tenantA, kind },
      { id: 'a3', tenantId: tenantA, kind },
      { id: 'b1', tenantId: tenantB, kind },
      { id: 'b2', tenantId: tenantB, kind },
    ]);
  });

  it('a query with the partitionKey option and no tenant predicate returns only that partition', async () => {
    const { resources } = await container.items
      .query<Doc>(
        { query: 'SELECT * FROM c WHERE c.kind = @kind', parameters: [{ name: '@kind', value: kind }] },
        { partitionKey: tenantA },
      )
      .fetchAll();
    expect(resources.map((d) => d.id).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(new Set(resources.map((d) => d.tenantId))).toEqual(new Set([tenantA]));
  });

  it('SELECT * FROM c with the partitionKey option returns only that partition', async () => {
    const { resources } = await container.items.query<Doc>('SELECT * FROM c', { partitionKey: tenantB }).fetchAll();
    expect(resources.map((d) => d.id).sort()).toEqual(['b1', 'b2']);
  });

  it('COUNT is scoped to the partition too', async () => {
    const count = async (partitionKey?: string): Promise<number | undefined> => {
      const spec = { query: 'SELECT VALUE COUNT(1) FROM c WHERE c.kind = @kind', parameters: [{ name: '@kind', value: kind }] };
      const { resources } = await container.items.query<number>(spec, partitionKey ? { partitionKey } : {}).fetchAll();
      return resources[0];
    };
    expect(await count(tenantA)).toBe(3);
    expect(await count(tenantB)).toBe(2);
    expect(await count()).toBe(5); // cross-partition still sees everything
  });

  it('readAll with the partitionKey option returns only that partition', async () => {
    const { resources } = await container.items.readAll<Doc>({ partitionKey: tenantB }).fetchAll();
    expect(resources.map((d) => d.id).sort()).toEqual(['b1', 'b2']);
  });
});

describe('conflicts', () => {
  it('409 on a duplicate id in the same partition; the same id in another partition is fine', async () => {
    const t = newTenant();
    const other = newTenant();
    expect(await statusOf(container.items.create<Doc>({ id: 'same', tenantId: t, value: 'first' }))).toBe(201);
    expect(await statusOf(container.items.create<Doc>({ id: 'same', tenantId: t, value: 'second' }))).toBe(409);
    expect((await readDoc('same', t))?.value).toBe('first');
    expect(await statusOf(container.items.create<Doc>({ id: 'same', tenantId: other, value: 'other' }))).toBe(201);
    expect((await readDoc('same', other))?.value).toBe('other');
  });
});

describe('query subset', () => {
  const t = newTenant();
  const names = ['alpha', 'alder', 'beta', 'almond', 'alp', 'gamma', 'alto', 'albert'];
  const docs: Doc[] = names.map((name, i) => ({
    id: `q${i}`,
    tenantId: t,
    name,
    group: i % 3,
    status: ['active', 'pending', 'retired'][i % 3],
    archived: i === 4,
  }));

  beforeAll(async () => {
    await createDocs(docs);
  });

  it('supports parameters with STARTSWITH, IN, NOT and ORDER BY on two fields (composite index)', async () => {
    const { resources } = await container.items
      .query<{ id: string }>(
        {
          query:
            'SELECT c.id FROM c WHERE c.tenantId = @t AND STARTSWITH(c.name, @prefix) AND c.status IN (@s1, @s2) ' +
            'AND NOT c.archived ORDER BY c.group ASC, c.name DESC',
          parameters: [
            { name: '@t', value: t },
            { name: '@prefix', value: 'al' },
            { name: '@s1', value: 'active' },
            { name: '@s2', value: 'pending' },
          ],
        },
        { partitionKey: t },
      )
      .fetchAll();
    const expected = docs
      .filter((d) => d.name?.startsWith('al') && ['active', 'pending'].includes(d.status ?? '') && !d.archived)
      .sort((a, b) => (a.group ?? 0) - (b.group ?? 0) || (b.name ?? '').localeCompare(a.name ?? ''))
      .map((d) => d.id);
    // group 0: alto, alpha, almond; group 1: alder, albert. alp is archived, beta and gamma do not match.
    expect(expected).toEqual(['q6', 'q0', 'q3', 'q1', 'q7']);
    expect(resources.map((r) => r.id)).toEqual(expected);
  });

  const orderBy = (clause: string) =>
    container.items
      .query<{ id: string }>(
        { query: `SELECT c.id FROM c WHERE c.tenantId = @t ORDER BY ${clause}`, parameters: [{ name: '@t', value: t }] },
        { partitionKey: t },
      )
      .fetchAll();

  it('rejects a two-field ORDER BY without a matching composite index (400), as Azure does', async () => {
    await expect(orderBy('c.name ASC, c.group ASC')).rejects.toMatchObject({ code: 400 });
  });

  it('serves the exact reverse of a composite index from it, as Azure does, but not a partial reversal', async () => {
    const forward = (await orderBy('c.group ASC, c.name DESC')).resources.map((r) => r.id);
    const reverse = (await orderBy('c.group DESC, c.name ASC')).resources.map((r) => r.id);
    expect(forward.length).toBe(docs.length);
    expect(reverse).toEqual([...forward].reverse());
    await expect(orderBy('c.group DESC, c.name DESC')).rejects.toMatchObject({ code: 400 });
    await expect(orderBy('c.group ASC, c.name ASC')).rejects.toMatchObject({ code: 400 });
  });
});

describe('time to live (the container as provisioned: on, without a default)', () => {
  it('expires a document with a ttl of its own, for reads and queries alike, and keeps every document without one', async () => {
    const tenantId = randomUUID();
    const expiring = { id: randomUUID(), tenantId, kind: 'record', ttl: 1 };
    const kept = { id: randomUUID(), tenantId, kind: 'record' };
    await container.items.create(expiring);
    await container.items.create(kept);
    const inQuery = async () =>
      (
        await container.items
          .query<Doc>(
            { query: 'SELECT * FROM c WHERE c.tenantId = @t', parameters: [{ name: '@t', value: tenantId }] },
            { partitionKey: tenantId },
          )
          .fetchAll()
      ).resources.map((d) => d.id);
    // Azure expires an item once its ttl has passed since its last write (`_ts`, whole seconds); polled, not timed.
    let read = await container.item(expiring.id, tenantId).read();
    for (let i = 0; i < 40 && read.statusCode !== 404; i++) {
      await new Promise((r) => setTimeout(r, 250));
      read = await container.item(expiring.id, tenantId).read();
    }
    expect(read.statusCode).toBe(404);
    expect(await inQuery()).toEqual([kept.id]);
    expect((await container.item(kept.id, tenantId).read()).statusCode).toBe(200);
  });
});
