/**
 * The embedded server's indexed engine (src/documents.ts) against a plain scan written to check it
 * (`engine: 'scan'`: every query evaluates and sorts every document in scope), through the SDK: on the same data and the same writes, every page of every query,
 * and its continuation token, is the same, including pages read after writes that land between them and
 * after a transactional batch that is rolled back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosClient, type Container, type OperationInput, type SqlQuerySpec } from '@azure/cosmos';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../src/index.js';

type Engine = 'scan' | 'indexed';
const ENGINES: Engine[] = ['scan', 'indexed'];
const servers = {} as Record<Engine, EmbeddedCosmos>;
const clients = {} as Record<Engine, CosmosClient>;
const containers = {} as Record<Engine, Container>;

/** A fixed pseudo-random sequence, so both servers get the same data. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function doc(tenantId: string, i: number, next: () => number): Record<string, unknown> {
  const values: unknown[] = [i % 13, `s${i % 5}`, null, true, i / 7];
  const d: Record<string, unknown> = {
    id: `d${i}`,
    tenantId,
    type: next() < 0.5 ? 'connector' : 'connectorGroup',
    n: values[Math.floor(next() * values.length)],
    flag: next() < 0.3,
  };
  if (next() < 0.9) d.name = `name-${Math.floor(next() * 40)}`; // ties, and some without a name
  return d;
}

async function onBoth(action: (container: Container) => Promise<unknown>): Promise<void> {
  for (const engine of ENGINES) await action(containers[engine]);
}

beforeAll(async () => {
  for (const engine of ENGINES) {
    servers[engine] = await startEmbeddedCosmos({ engine });
    clients[engine] = new CosmosClient({
      endpoint: servers[engine].endpoint,
      key: servers[engine].key,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { database } = await clients[engine].databases.create({ id: 'engine' });
    const { container } = await database.containers.create({
      id: 'items',
      partitionKey: { paths: ['/tenantId'] },
      indexingPolicy: {
        indexingMode: 'consistent',
        automatic: true,
        includedPaths: [{ path: '/*' }],
        compositeIndexes: [
          [
            { path: '/type', order: 'ascending' },
            { path: '/name', order: 'descending' },
          ],
        ],
      },
    });
    containers[engine] = container;
    const next = random(42);
    for (const tenantId of ['t1', 't2', 't3']) {
      for (let start = 0; start < 240; start += 80) {
        const ops: OperationInput[] = [];
        for (let i = start; i < start + 80; i += 1) ops.push({ operationType: 'Create', resourceBody: doc(tenantId, i, next) as never });
        const response = await container.items.batch(ops, tenantId);
        if (response.code !== 200) throw new Error(`load failed: ${response.code}`);
      }
    }
  }
});

afterAll(async () => {
  for (const engine of ENGINES) {
    clients[engine]?.dispose();
    await servers[engine]?.close();
  }
});

interface Page {
  ids: unknown[];
  token: string | undefined;
}

/** Reads one page per call, each from a fresh iterator resumed from the previous token, as the API does. */
async function nextPage(
  container: Container,
  spec: SqlQuerySpec,
  partitionKey: string | undefined,
  pageSize: number,
  token: string | undefined,
): Promise<Page> {
  const page = await container.items
    .query(spec, { maxItemCount: pageSize, continuationToken: token, ...(partitionKey ? { partitionKey } : {}) })
    .fetchNext();
  return { ids: page.resources.map((r: { id?: unknown }) => r?.id ?? r), token: page.continuationToken };
}

/** Pages both engines through the query, running `between(i)` on both after page i; returns the pages. */
async function pageBoth(
  spec: SqlQuerySpec,
  partitionKey: string | undefined,
  pageSize: number,
  between?: (page: number) => Promise<void>,
): Promise<Page[]> {
  const pages: Page[] = [];
  const tokens: Record<Engine, string | undefined> = { scan: undefined, indexed: undefined };
  for (let i = 0; i < 500; i += 1) {
    const scan = await nextPage(containers.scan, spec, partitionKey, pageSize, tokens.scan);
    const indexed = await nextPage(containers.indexed, spec, partitionKey, pageSize, tokens.indexed);
    expect(indexed, `page ${i} of ${spec.query}`).toEqual(scan);
    pages.push(scan);
    if (!scan.token) return pages;
    tokens.scan = scan.token;
    tokens.indexed = indexed.token;
    await between?.(i);
  }
  throw new Error('more than 500 pages');
}

const p = (query: string, ...parameters: [string, unknown][]): SqlQuerySpec => ({
  query,
  parameters: parameters.map(([name, value]) => ({ name, value: value as string })),
});

const queries: [string, SqlQuerySpec][] = [
  ['unordered, equality', p('SELECT * FROM c WHERE c.tenantId = @t AND c.type = @type', ['@t', 't1'], ['@type', 'connectorGroup'])],
  [
    'ORDER BY name',
    p('SELECT * FROM c WHERE c.tenantId = @t AND c.type = @type ORDER BY c.name', ['@t', 't1'], ['@type', 'connectorGroup']),
  ],
  ['ORDER BY name DESC', p('SELECT * FROM c WHERE c.tenantId = @t AND c.type = "connector" ORDER BY c.name DESC', ['@t', 't1'])],
  ['ORDER BY a mixed-type property', p('SELECT * FROM c WHERE c.tenantId = @t ORDER BY c.n', ['@t', 't2'])],
  ['boolean equality and a range', p('SELECT c.id FROM c WHERE c.tenantId = @t AND c.flag = @f AND c.n > 3', ['@t', 't2'], ['@f', true])],
  ['TOP with ORDER BY', p('SELECT TOP 17 * FROM c WHERE c.tenantId = @t ORDER BY c.name', ['@t', 't3'])],
  // (IS_DEFINED: the published engine's continuation cannot page a multi-property ORDER BY past missing values)
  [
    'two-property ORDER BY',
    p('SELECT * FROM c WHERE c.tenantId = @t AND IS_DEFINED(c.name) ORDER BY c.type ASC, c.name DESC', ['@t', 't3']),
  ],
  // The composite index (type, name DESC) with its first path fixed by the WHERE: read as an index, both ways.
  [
    'two-property ORDER BY, the first fixed',
    p('SELECT * FROM c WHERE c.tenantId = @t AND c.type = @type ORDER BY c.type, c.name DESC', ['@t', 't3'], ['@type', 'connector']),
  ],
  [
    'the same, reversed',
    p('SELECT * FROM c WHERE c.type = @type AND c.tenantId = @t ORDER BY c.type DESC, c.name', ['@t', 't2'], ['@type', 'connectorGroup']),
  ],
  ['VALUE COUNT', p('SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @t AND c.type = @type', ['@t', 't1'], ['@type', 'connector'])],
  ['no match', p('SELECT * FROM c WHERE c.tenantId = @t AND c.type = @type ORDER BY c.name', ['@t', 't1'], ['@type', 'nothing'])],
];

describe('indexed engine = scan engine', () => {
  for (const [i, [name, spec]] of queries.entries()) {
    // Page size 1 (every page boundary) for the two queries the service sends; 7 and 100 for all.
    const sizes = i < 2 ? [1, 7, 100] : [7, 100];
    it(`${name}: same pages with the partition key option, page sizes ${sizes.join(', ')}`, async () => {
      for (const size of sizes) await pageBoth(spec, spec.parameters?.[0]?.value as string, size);
    });
  }

  it('same pages cross-partition, with the partition key only in the WHERE, and with none at all', async () => {
    await pageBoth(queries[1]![1], undefined, 13);
    await pageBoth(p('SELECT * FROM c WHERE c.type = @type ORDER BY c.name', ['@type', 'connectorGroup']), undefined, 50);
  });

  it('same pages when documents are created, changed and deleted between pages, and after a rolled-back batch', async () => {
    let k = 1000;
    const writes = async (page: number): Promise<void> => {
      await onBoth(async (container) => {
        const i = k;
        await container.items.create({ id: `w${i}`, tenantId: 't1', type: 'connectorGroup', name: `name-${page % 40}` });
        await container.items.upsert({ id: `d${(page * 7) % 240}`, tenantId: 't1', type: 'connectorGroup', name: 'name-00' });
        await container
          .item(`d${(page * 11 + 3) % 240}`, 't1')
          .delete()
          .catch(() => undefined);
        const failed = await container.items.batch(
          [
            { operationType: 'Create', resourceBody: { id: `x${i}`, tenantId: 't1', type: 'connectorGroup', name: 'name-0' } },
            { operationType: 'Replace', id: 'missing', resourceBody: { id: 'missing', tenantId: 't1' } },
          ],
          't1',
        );
        expect(failed.code).toBe(207);
      });
      k += 1;
    };
    const pages = await pageBoth(queries[1]![1], 't1', 9, writes);
    expect(pages.length).toBeGreaterThan(5);
    await pageBoth(queries[0]![1], 't1', 9, writes);
    // And the whole partition, read at once afterwards, is the same on both.
    await pageBoth(queries[1]![1], 't1', 1000);
  });

  it('readAll with the partition key option returns the same documents', async () => {
    const read = async (engine: Engine) =>
      (await containers[engine].items.readAll({ partitionKey: 't2' }).fetchAll()).resources.map((d) => d.id).sort();
    expect(await read('indexed')).toEqual(await read('scan'));
    expect(await read('indexed')).toHaveLength(240);
  });
});
