/**
 * Time to live as Azure applies it (src/account.ts): the container's `defaultTtl` (absent: off, -1: on
 * without a default, n: the default) and the item's `ttl` (-1: never); an expired item is at once invisible
 * to reads, queries, feeds and writes, and deleted later. Time is moved forward with a fake clock (the
 * server runs in this process), so nothing waits.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CosmosClient, ErrorResponse, type Container, type Database } from '@azure/cosmos';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../src/index.js';
import { Account, PURGE_INTERVAL_MS } from '../src/account.js';

let server: EmbeddedCosmos;
let client: CosmosClient;
let database: Database;
let made = 0;

beforeAll(async () => {
  server = await startEmbeddedCosmos();
  client = new CosmosClient({ endpoint: server.endpoint, key: server.key, connectionPolicy: { enableEndpointDiscovery: false } });
  ({ database } = await client.databases.create({ id: 'ttl' }));
});

afterAll(async () => {
  client?.dispose();
  await server?.close();
});

/** The real time a test began at: `later` moves the clock to a time after it. */
let origin = 0;
beforeEach(() => {
  origin = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

async function containerWith(defaultTtl?: number): Promise<Container> {
  made += 1;
  const { container } = await database.containers.create({
    id: `c${made}`,
    partitionKey: { paths: ['/tenantId'] },
    ...(defaultTtl === undefined ? {} : { defaultTtl }),
  });
  return container;
}

/** Sets the clock `seconds` after the test began (only Date: the SDK's and the server's timers run as they do). */
function later(seconds: number): void {
  vi.useFakeTimers({ toFake: ['Date'], now: origin + seconds * 1000 });
}

const ids = async (container: Container, query = 'SELECT * FROM c') =>
  (await container.items.query<{ id: string }>(query, { partitionKey: 't' }).fetchAll()).resources.map((d) => d.id).sort();

const feed = async (container: Container) =>
  (await container.items.readAll<{ id: string }>({ partitionKey: 't' }).fetchAll()).resources.map((d) => d.id).sort();

const status = async (work: Promise<unknown>) =>
  work.then(
    () => 200,
    (e: unknown) => (e instanceof ErrorResponse ? e.code : -1),
  );

describe('time to live', () => {
  it('is off without a defaultTtl: an item ttl is ignored', async () => {
    const container = await containerWith();
    await container.items.create({ id: 'a', tenantId: 't', ttl: 10 });
    later(60);
    expect((await container.item('a', 't').read()).resource?.id).toBe('a');
    expect(await ids(container)).toEqual(['a']);
  });

  it('-1 turns it on without a default: only items with their own ttl expire, each at once for reads, queries and the feed', async () => {
    const container = await containerWith(-1);
    await container.items.create({ id: 'kept', tenantId: 't' });
    await container.items.create({ id: 'never', tenantId: 't', ttl: -1 });
    await container.items.create({ id: 'short', tenantId: 't', ttl: 10 });
    expect(await ids(container)).toEqual(['kept', 'never', 'short']);
    later(11);
    // The SDK answers a point read of a missing item with its status rather than an error.
    expect((await container.item('short', 't').read()).statusCode).toBe(404);
    expect(await ids(container)).toEqual(['kept', 'never']);
    expect((await container.items.query<number>('SELECT VALUE COUNT(1) FROM c', { partitionKey: 't' }).fetchAll()).resources).toEqual([2]);
    expect(await feed(container)).toEqual(['kept', 'never']);
  });

  it('n seconds is the default, which an item ttl overrides either way', async () => {
    const container = await containerWith(10);
    await container.items.create({ id: 'default', tenantId: 't' });
    await container.items.create({ id: 'longer', tenantId: 't', ttl: 100 });
    await container.items.create({ id: 'never', tenantId: 't', ttl: -1 });
    later(11);
    expect(await ids(container)).toEqual(['longer', 'never']);
    later(101);
    expect(await ids(container)).toEqual(['never']);
  });

  it('counts from the last write: a replace starts the time again', async () => {
    const container = await containerWith(-1);
    await container.items.create({ id: 'a', tenantId: 't', ttl: 10 });
    later(6);
    await container.item('a', 't').replace({ id: 'a', tenantId: 't', ttl: 10 });
    later(12);
    expect(await ids(container)).toEqual(['a']);
    later(17);
    expect(await ids(container)).toEqual([]);
  });

  it('treats an expired item as gone for writes: its id can be created again, and it cannot be replaced, patched or deleted', async () => {
    const container = await containerWith(-1);
    await container.items.create({ id: 'a', tenantId: 't', ttl: 10, n: 1 });
    await container.items.create({ id: 'b', tenantId: 't', ttl: 10, n: 1 });
    later(11);
    expect(await status(container.item('b', 't').replace({ id: 'b', tenantId: 't' }))).toBe(404);
    expect(await status(container.item('b', 't').patch([{ op: 'incr', path: '/n', value: 1 }]))).toBe(404);
    expect(await status(container.item('b', 't').delete())).toBe(404);
    await container.items.create({ id: 'a', tenantId: 't', n: 2 });
    expect((await container.item('a', 't').read<{ n: number }>()).resource?.n).toBe(2);
  });

  it('refuses a ttl of 0 or a fraction, on a container or an item', async () => {
    expect(await status(database.containers.create({ id: 'zero', partitionKey: { paths: ['/tenantId'] }, defaultTtl: 0 }))).toBe(400);
    const container = await containerWith(-1);
    expect(await status(container.items.create({ id: 'z', tenantId: 't', ttl: 0 }))).toBe(400);
    expect(await status(container.items.create({ id: 'f', tenantId: 't', ttl: 1.5 }))).toBe(400);
  });

  it('is honoured inside a transactional batch: an expired id is created anew, a replace of one fails the batch', async () => {
    const container = await containerWith(-1);
    await container.items.create({ id: 'a', tenantId: 't', ttl: 10 });
    later(11);
    const failed = await container.items.batch(
      [
        { operationType: 'Create', resourceBody: { id: 'new', tenantId: 't' } },
        { operationType: 'Replace', id: 'a', resourceBody: { id: 'a', tenantId: 't' } },
      ],
      't',
    );
    expect(failed.result?.map((r) => r.statusCode)).toEqual([424, 404]);
    const ok = await container.items.batch([{ operationType: 'Create', resourceBody: { id: 'a', tenantId: 't' } }], 't');
    expect(ok.result?.map((r) => r.statusCode)).toEqual([201]);
    expect(await ids(container)).toEqual(['a']);
  });
});

describe('purging expired items', () => {
  it('deletes them later, at most once per interval, and keeps the rest', () => {
    const account = new Account();
    account.createDatabase({ id: 'd' });
    account.createContainer('d', { id: 'c', partitionKey: { paths: ['/tenantId'] }, defaultTtl: -1 });
    const container = account.container('d', 'c');
    container.create({ id: 'short', tenantId: 't', ttl: 10 });
    container.create({ id: 'kept', tenantId: 't' });
    const now = Date.now();
    expect(account.purgeExpired(now + 9_000)).toBe(0);
    // Within the interval nothing is purged, though the item has expired (it is invisible all the same).
    expect(account.purgeExpired(now + 11_000)).toBe(0);
    expect(container.documents.size).toBe(2);
    expect(account.purgeExpired(now + 9_000 + PURGE_INTERVAL_MS)).toBe(1);
    expect([...container.documents.documents()].map((d) => d.id)).toEqual(['kept']);
  });
});
