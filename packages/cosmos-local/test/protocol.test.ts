/**
 * Protocol details the contract tests do not reach, mostly through the SDK: framing (Content-Length), conditional reads, unique keys on
 * every write, hierarchical partition keys, request limits, and what is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosClient, PartitionKeyKind, type Container, type Database } from '@azure/cosmos';
import { request } from 'node:http';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../src/index.js';

let server: EmbeddedCosmos;
let client: CosmosClient;
let database: Database;
let container: Container;

beforeAll(async () => {
  server = await startEmbeddedCosmos();
  client = new CosmosClient({ endpoint: server.endpoint, key: server.key, connectionPolicy: { enableEndpointDiscovery: false } });
  ({ database } = await client.databases.create({ id: 'protocol' }));
  ({ container } = await database.containers.create({
    id: 'docs',
    partitionKey: { paths: ['/tenantId'] },
    uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/email'] }] },
  }));
});

afterAll(async () => {
  client?.dispose();
  await server?.close();
});

const code = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    (r) => (r as { statusCode: number }).statusCode,
    (e: { code?: unknown }) => e.code,
  );

describe('documents', () => {
  it('sends each answer with its Content-Length in bytes, not chunked', async () => {
    await container.items.create({ id: 'len', tenantId: 't', email: 'len@x', name: 'Zoë 東京' });
    const answer = await new Promise<{ headers: Record<string, unknown>; bytes: number }>((resolve, reject) => {
      const req = request(
        `${server.endpoint}dbs/protocol/colls/docs/docs/len`,
        { headers: { 'x-ms-documentdb-partitionkey': '["t"]' } },
        (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ headers: res.headers, bytes }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.headers['transfer-encoding']).toBeUndefined();
    expect(Number(answer.headers['content-length'])).toBe(answer.bytes);
    expect(answer.bytes).toBeGreaterThan(0);
  });

  it('answers a read with the current etag in If-None-Match with 304', async () => {
    const { resource } = await container.items.create({ id: 'a', tenantId: 't', email: 'a@x' });
    const etag = resource?._etag as string;
    expect(etag).toMatch(/^".+"$/);
    const unchanged = await container.item('a', 't').read({ accessCondition: { type: 'IfNoneMatch', condition: etag } });
    expect(unchanged.statusCode).toBe(304);
    await container.item('a', 't').replace({ id: 'a', tenantId: 't', email: 'a@x', n: 1 });
    expect((await container.item('a', 't').read({ accessCondition: { type: 'IfNoneMatch', condition: etag } })).statusCode).toBe(200);
  });

  it('keeps unique keys per logical partition on create, upsert, replace and patch (409)', async () => {
    await container.items.create({ id: 'u1', tenantId: 'u', email: 'same@x' });
    await container.items.create({ id: 'u2', tenantId: 'u', email: 'other@x' });
    expect(await code(container.items.create({ id: 'u3', tenantId: 'u', email: 'same@x' }))).toBe(409);
    expect(await code(container.items.upsert({ id: 'u2', tenantId: 'u', email: 'same@x' }))).toBe(409);
    expect(await code(container.item('u2', 'u').replace({ id: 'u2', tenantId: 'u', email: 'same@x' }))).toBe(409);
    expect(await code(container.item('u2', 'u').patch([{ op: 'set', path: '/email', value: 'same@x' }]))).toBe(409);
    expect(await code(container.items.create({ id: 'u3', tenantId: 'elsewhere', email: 'same@x' }))).toBe(201);
  });

  it('refuses a document whose partition key differs from the header, and a patch of the partition key', async () => {
    await container.items.create({ id: 'p', tenantId: 'p1' });
    expect(await code(container.item('p', 'p1').replace({ id: 'p', tenantId: 'p2' }))).toBe(400);
    expect(await code(container.item('p', 'p1').patch([{ op: 'set', path: '/tenantId', value: 'p2' }]))).toBe(400);
    expect(await code(container.item('p', 'p1').patch([{ op: 'set', path: '/id', value: 'q' }]))).toBe(400);
    expect((await container.item('p', 'p1').read()).resource?.tenantId).toBe('p1');
  });
});

describe('hierarchical partition keys', () => {
  it('reads, queries and scopes by the whole key and by its prefix', async () => {
    const { container: h } = await database.containers.create({
      id: 'hier',
      partitionKey: { paths: ['/tenantId', '/userId'], kind: PartitionKeyKind.MultiHash, version: 2 },
    });
    await h.items.create({ id: '1', tenantId: 'a', userId: 'x' });
    await h.items.create({ id: '2', tenantId: 'a', userId: 'y' });
    await h.items.create({ id: '3', tenantId: 'b', userId: 'x' });
    expect((await h.item('1', ['a', 'x']).read()).statusCode).toBe(200);
    expect((await h.item('1', ['a', 'y']).read()).statusCode).toBe(404);
    const ids = async (partitionKey: string[]) =>
      (await h.items.query<{ id: string }>('SELECT c.id FROM c', { partitionKey }).fetchAll()).resources.map((r) => r.id).sort();
    expect(await ids(['a', 'x'])).toEqual(['1']);
    expect(await ids(['a'])).toEqual(['1', '2']);
  });
});

describe('refusals', () => {
  it('refuses what it does not implement with 400, and a container without a database with 404', async () => {
    expect(await code(container.scripts.storedProcedures.create({ id: 's', body: 'function () {}' }))).toBe(400);
    expect(await code(client.database('missing').container('c').read())).toBe(404);
    await expect(container.items.query('SELECT * FROM c OFFSET 0 LIMIT 1').fetchAll()).rejects.toMatchObject({ code: 400 });
  });
});
