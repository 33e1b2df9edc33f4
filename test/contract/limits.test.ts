/**
 * Contract tests: Azure Cosmos DB's indexing limits, which the embedded server enforces too so that a
 * policy or a query Azure would refuse fails in local tests first. At most 100 composite indexes per
 * container and 8 paths per composite index; an ORDER BY on two or more properties needs a composite
 * index on the same paths in the same order, with the same directions or all of them reversed.
 * Embedded server by default, a real account when COSMOS_ENDPOINT or COSMOS_CONNECTION_STRING is set.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompositePath, Container, Database, IndexingPolicy } from '@azure/cosmos';
import { connectTestCosmos, createTestContainer, type TestContainer, type TestCosmos } from '../support/cosmos.js';

let cosmos: TestCosmos;
let testContainer: TestContainer;
let database: Database;
let container: Container;
const extraContainers: Container[] = [];

const policy = (compositeIndexes: CompositePath[][]): IndexingPolicy => ({
  indexingMode: 'consistent',
  automatic: true,
  includedPaths: [{ path: '/*' }],
  excludedPaths: [{ path: '/"_etag"/?' }],
  compositeIndexes,
});

const asc = (path: string): CompositePath => ({ path, order: 'ascending' });
const desc = (path: string): CompositePath => ({ path, order: 'descending' });

beforeAll(async () => {
  cosmos = await connectTestCosmos();
  testContainer = await createTestContainer(cosmos.client, {
    prefix: 'limits',
    indexingPolicy: policy([
      [asc('/a'), desc('/b')],
      [asc('/a'), asc('/b'), asc('/c')],
    ]),
  });
  database = testContainer.database;
  container = testContainer.container;
  const t = 'tenant';
  for (let i = 0; i < 6; i += 1) {
    await container.items.create({ id: `d${i}`, tenantId: t, a: i % 2, b: `b${i}`, c: 5 - i });
  }
});

afterAll(async () => {
  for (const extra of extraContainers) await extra.delete().catch(() => undefined);
  await testContainer?.dispose();
  await cosmos?.close();
});

/** Creates a container with this policy; resolves to the HTTP status (201, or the error's code). */
async function createWith(compositeIndexes: CompositePath[][]): Promise<number> {
  try {
    const response = await database.containers.create({
      id: `limits-${randomUUID().slice(0, 8)}`,
      partitionKey: { paths: ['/tenantId'] },
      indexingPolicy: policy(compositeIndexes),
    });
    extraContainers.push(response.container);
    return response.statusCode;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'number') throw err;
    return code;
  }
}

/** `count` distinct two-path composite indexes. */
const pairs = (count: number): CompositePath[][] =>
  Array.from({ length: count }, (_, i) => [asc(`/p${Math.floor(i / 10)}`), asc(`/q${i % 10}`)]);

describe('indexing policy limits at container creation', () => {
  it('accepts 100 composite indexes and refuses 101 with 400', async () => {
    expect(await createWith(pairs(100))).toBe(201);
    expect(await createWith(pairs(101))).toBe(400);
  });

  it('accepts a composite index of 8 paths and refuses one of 9 with 400', async () => {
    const paths = (n: number): CompositePath[] => Array.from({ length: n }, (_, i) => asc(`/f${i}`));
    expect(await createWith([paths(8)])).toBe(201);
    expect(await createWith([paths(9)])).toBe(400);
  });

  it('refuses to replace a container policy with more than 100 composite indexes', async () => {
    const { resource } = await container.read();
    if (!resource) throw new Error('container has no definition');
    const replaced = container.replace({ ...resource, indexingPolicy: policy(pairs(101)) });
    await expect(replaced).rejects.toMatchObject({ code: 400 });
  });
});

describe('ORDER BY on two or more properties', () => {
  const run = async (orderBy: string): Promise<string[]> => {
    const { resources } = await container.items
      .query<{ id: string }>(`SELECT c.id FROM c ORDER BY ${orderBy}`, { partitionKey: 'tenant' })
      .fetchAll();
    return resources.map((r) => r.id);
  };

  it('is served by a composite index with the same directions', async () => {
    // a ascending, then b descending: a=0 → d4, d2, d0; a=1 → d5, d3, d1
    expect(await run('c.a ASC, c.b DESC')).toEqual(['d4', 'd2', 'd0', 'd5', 'd3', 'd1']);
  });

  it('is served by a composite index with every direction reversed', async () => {
    expect(await run('c.a DESC, c.b ASC')).toEqual(['d1', 'd3', 'd5', 'd0', 'd2', 'd4']);
    expect(await run('c.a DESC, c.b DESC, c.c DESC')).toEqual(['d5', 'd3', 'd1', 'd4', 'd2', 'd0']);
  });

  it('fails with 400 when only some directions match', async () => {
    await expect(run('c.a ASC, c.b ASC')).rejects.toMatchObject({ code: 400 });
    await expect(run('c.a DESC, c.b DESC, c.c ASC')).rejects.toMatchObject({ code: 400 });
  });

  it('fails with 400 when the paths are in another order or not all indexed together', async () => {
    await expect(run('c.b DESC, c.a ASC')).rejects.toMatchObject({ code: 400 });
    await expect(run('c.a ASC, c.c ASC')).rejects.toMatchObject({ code: 400 });
    await expect(run('c.b ASC, c.c ASC')).rejects.toMatchObject({ code: 400 });
  });

  it('needs no composite index for a single property', async () => {
    expect(await run('c.c ASC')).toEqual(['d5', 'd4', 'd3', 'd2', 'd1', 'd0']);
  });
});
