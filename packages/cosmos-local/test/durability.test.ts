/**
 * The durable embedded Cosmos server (`startEmbeddedCosmos({ dataDir })`), through the official SDK:
 * data survives a clean stop and a SIGKILL in the middle of a write load (every acknowledged write is
 * there, no transactional batch is there in part), and a torn or damaged journal tail starts cleanly.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosClient, type Container, type ItemDefinition } from '@azure/cosmos';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../src/index.js';

const dirs: string[] = [];
const newDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cosmos-durable-'));
  dirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const clientFor = (endpoint: string, key: string): CosmosClient =>
  new CosmosClient({ endpoint, key, connectionPolicy: { enableEndpointDiscovery: false } });

/** Runs `body` against a durable server on `dir`, then stops it cleanly. */
async function withServer<T>(dir: string, body: (client: CosmosClient, server: EmbeddedCosmos) => Promise<T>): Promise<T> {
  const server = await startEmbeddedCosmos({ dataDir: dir });
  const client = clientFor(server.endpoint, server.key);
  try {
    return await body(client, server);
  } finally {
    client.dispose();
    await server.close();
  }
}

interface Doc extends ItemDefinition {
  id: string;
  tenantId: string;
  count?: number;
  name?: string;
}

const compositeIndexes = [
  [
    { path: '/name', order: 'ascending' as const },
    { path: '/count', order: 'descending' as const },
  ],
];

async function setUp(client: CosmosClient): Promise<Container> {
  const { database } = await client.databases.create({ id: 'db' });
  const { container } = await database.containers.create({
    id: 'items',
    partitionKey: { paths: ['/tenantId'] },
    uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/name'] }] },
    indexingPolicy: { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], compositeIndexes },
  });
  return container;
}

describe('a clean stop', () => {
  it('keeps databases, containers (with their policies) and documents, and only committed batches', async () => {
    const dir = newDir();
    const etags = await withServer(dir, async (client) => {
      const container = await setUp(client);
      await client.databases.create({ id: 'dropped' });
      await client.database('dropped').delete();
      await container.items.create<Doc>({ id: 'a', tenantId: 't1', name: 'alpha', count: 1 });
      await container.items.create<Doc>({ id: 'gone', tenantId: 't1', name: 'gone' });
      await container.item('gone', 't1').delete();
      const ok = await container.items.batch(
        [
          { operationType: 'Create', resourceBody: { id: 'b', tenantId: 't1', name: 'beta' } },
          { operationType: 'Patch', id: 'a', resourceBody: { operations: [{ op: 'incr', path: '/count', value: 2 }] } },
        ],
        't1',
      );
      expect(ok.code).toBe(200);
      const failed = await container.items.batch(
        [
          { operationType: 'Create', resourceBody: { id: 'c', tenantId: 't1', name: 'gamma' } },
          { operationType: 'Patch', id: 'missing', resourceBody: [{ op: 'incr', path: '/count', value: 1 }] },
        ],
        't1',
      );
      expect(failed.code).toBe(207);
      // Replacing the container's policy keeps its documents.
      const { resource: definition } = await container.read();
      await container.replace({ ...definition!, indexingPolicy: { ...definition!.indexingPolicy, compositeIndexes: [] } });
      const { resource: a } = await container.item('a', 't1').read<Doc>();
      return { a: a?._etag };
    });

    await withServer(dir, async (client) => {
      expect((await client.databases.readAll().fetchAll()).resources.map((d) => d.id)).toEqual(['db']);
      const container = client.database('db').container('items');
      const { resource: definition } = await container.read();
      expect(definition?.partitionKey?.paths).toEqual(['/tenantId']);
      expect(definition?.uniqueKeyPolicy?.uniqueKeys).toEqual([{ paths: ['/name'] }]);
      expect(definition?.indexingPolicy?.compositeIndexes).toEqual([]);
      const docs = (await container.items.readAll<Doc>().fetchAll()).resources;
      expect(docs.map((d) => d.id).sort()).toEqual(['a', 'b']);
      const { resource: a } = await container.item('a', 't1').read<Doc>();
      expect(a?.count).toBe(3);
      expect(a?._etag).toBe(etags.a);
      // The unique key index and the rid counter are back too.
      const duplicate = await container.items
        .create<Doc>({ id: 'z', tenantId: 't1', name: 'alpha' })
        .catch((e: { code: number }) => e.code);
      expect(duplicate).toBe(409);
      const { resource: created } = await container.items.create<Doc>({ id: 'new', tenantId: 't1', name: 'new' });
      expect(new Set(docs.map((d) => d._rid)).has(created?._rid)).toBe(false);
    });
  });

  it('survives compaction: a snapshot plus the journal after it rebuild the same state', async () => {
    const dir = newDir();
    const server = await startEmbeddedCosmos({ dataDir: dir, compactBytes: 2048 });
    const client = clientFor(server.endpoint, server.key);
    const container = await setUp(client);
    for (let i = 0; i < 60; i += 1) await container.items.upsert<Doc>({ id: `d${i % 20}`, tenantId: 't', name: `n${i % 20}`, count: i });
    for (let i = 0; i < 5; i += 1) await container.item(`d${i}`, 't').delete();
    client.dispose();
    await server.close();
    expect(server.storage?.stats.snapshots).toBeGreaterThan(0);
    expect(readdirSync(dir).some((f) => f.startsWith('snapshot-'))).toBe(true);

    await withServer(dir, async (client2) => {
      const docs = (await client2.database('db').container('items').items.readAll<Doc>().fetchAll()).resources;
      const expected = Array.from({ length: 15 }, (_, k) => k + 5).map((i) => ({ id: `d${i}`, count: 40 + i }));
      expect(docs.map((d) => ({ id: d.id, count: d.count })).sort((x, y) => x.count! - y.count!)).toEqual(expected);
    });
  });
});

describe('a damaged journal tail', () => {
  async function writeSome(dir: string): Promise<void> {
    await withServer(dir, async (client) => {
      const container = await setUp(client);
      for (let i = 0; i < 5; i += 1) await container.items.create<Doc>({ id: `d${i}`, tenantId: 't', name: `n${i}` });
    });
  }
  const journalFile = (dir: string): string =>
    join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('journal-'))!,
    );
  const ids = (client: CosmosClient) =>
    client
      .database('db')
      .container('items')
      .items.readAll<Doc>()
      .fetchAll()
      .then((r) => r.resources.map((d) => d.id).sort());

  it('torn in the middle of the last record: that write is gone, everything before it is there', async () => {
    const dir = newDir();
    await writeSome(dir);
    const path = journalFile(dir);
    truncateSync(path, statSync(path).size - 10);
    await withServer(dir, async (client, server) => {
      expect(server.storage?.droppedBytes).toBeGreaterThan(0);
      expect(await ids(client)).toEqual(['d0', 'd1', 'd2', 'd3']);
      await client.database('db').container('items').items.create<Doc>({ id: 'after', tenantId: 't', name: 'after' });
    });
    await withServer(dir, async (client, server) => {
      expect(server.storage?.droppedBytes).toBe(0);
      expect(await ids(client)).toEqual(['after', 'd0', 'd1', 'd2', 'd3']);
    });
  });

  it('garbage after the last record: dropped, nothing lost', async () => {
    const dir = newDir();
    await writeSome(dir);
    const garbage = Buffer.from('\x10\x00\x00\x00 not a record at all');
    appendFileSync(journalFile(dir), garbage);
    await withServer(dir, async (client, server) => {
      expect(server.storage?.droppedBytes).toBe(garbage.length);
      expect(await ids(client)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    });
  });
});

describe('SIGKILL in the middle of a write load', () => {
  // The server runs compiled, under plain Node, in a child process that the test kills.
  const buildDir = join('node_modules', '.cache', `durability-test-${process.pid}`);
  let child: ChildProcess | undefined;

  beforeAll(() => {
    execFileSync(
      process.execPath,
      [
        'node_modules/typescript/bin/tsc',
        ...['--outDir', buildDir, '--rootDir', '.', '--module', 'nodenext', '--moduleResolution', 'nodenext'],
        ...['--target', 'es2022', '--types', 'node', '--skipLibCheck', '--strict'],
        'packages/cosmos-local/src/index.ts',
      ],
      { stdio: 'inherit' },
    );
  });

  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(buildDir, { recursive: true, force: true });
  });

  async function startChild(dir: string): Promise<{ endpoint: string; process: ChildProcess }> {
    const entry = join(process.cwd(), buildDir, 'packages', 'cosmos-local', 'src', 'index.js');
    const code = `const { startEmbeddedCosmos } = await import(${JSON.stringify(entry)});
      const server = await startEmbeddedCosmos({ dataDir: process.argv[1] });
      console.log('READY ' + server.endpoint);`;
    const proc = spawn(process.execPath, ['--input-type=module', '-e', code, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
        const match = /READY (\S+)/.exec(output);
        if (match) resolve(match[1] as string);
      });
      proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });
    return { endpoint, process: proc };
  }

  it('keeps every acknowledged create and batch, and no batch in part', async () => {
    const dir = newDir();
    const first = await startChild(dir);
    const client = clientFor(first.endpoint, 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==');
    const { database } = await client.databases.create({ id: 'db' });
    const { container } = await database.containers.create({ id: 'items', partitionKey: { paths: ['/tenantId'] } });
    const WORKERS = 16;
    for (let w = 0; w < WORKERS; w += 1) await container.items.create<Doc>({ id: 'counter', tenantId: `t${w}`, count: 0 });

    const ackedCreates: { id: string; tenantId: string }[] = [];
    const ackedBatches: { key: string; tenantId: string }[] = [];
    const attemptedBatches: { key: string; tenantId: string }[] = [];
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      const tenantId = `t${w}`;
      for (let i = 0; !stop; i += 1) {
        try {
          if (i % 2 === 0) {
            const id = `c-${w}-${i}`;
            await container.items.create<Doc>({ id, tenantId });
            ackedCreates.push({ id, tenantId });
          } else {
            const key = `b-${w}-${i}`;
            attemptedBatches.push({ key, tenantId });
            const response = await container.items.batch(
              [
                ...[0, 1, 2].map((k) => ({ operationType: 'Create' as const, resourceBody: { id: `${key}-${k}`, tenantId } })),
                { operationType: 'Patch' as const, id: 'counter', resourceBody: [{ op: 'incr' as const, path: '/count', value: 3 }] },
              ],
              tenantId,
            );
            if (response.code === 200) ackedBatches.push({ key, tenantId });
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const load = Array.from({ length: WORKERS }, (_, w) => worker(w));
    // Killed once enough writes are acknowledged (by count: the machine's speed varies), with more in flight.
    const deadline = Date.now() + 30_000;
    while ((ackedCreates.length < 60 || ackedBatches.length < 60) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.process.kill('SIGKILL');
    stop = true;
    await Promise.all(load);
    client.dispose();
    expect(ackedCreates.length).toBeGreaterThanOrEqual(60);
    expect(ackedBatches.length).toBeGreaterThanOrEqual(60);

    const second = await startChild(dir);
    const after = clientFor(second.endpoint, 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==');
    try {
      const docs = (await after.database('db').container('items').items.readAll<Doc>().fetchAll()).resources;
      const present = new Set(docs.map((d) => `${d.tenantId}/${d.id}`));
      const missing = ackedCreates.filter((c) => !present.has(`${c.tenantId}/${c.id}`));
      expect(missing).toEqual([]);
      for (const b of ackedBatches) {
        expect([0, 1, 2].every((k) => present.has(`${b.tenantId}/${b.key}-${k}`))).toBe(true);
      }
      const fullBatches = new Map<string, number>();
      for (const b of attemptedBatches) {
        const parts = [0, 1, 2].filter((k) => present.has(`${b.tenantId}/${b.key}-${k}`)).length;
        expect(parts === 0 || parts === 3).toBe(true);
        if (parts === 3) fullBatches.set(b.tenantId, (fullBatches.get(b.tenantId) ?? 0) + 1);
      }
      // Each batch's counter increment is there exactly when its creates are.
      for (const counter of docs.filter((d) => d.id === 'counter')) {
        expect(counter.count).toBe(3 * (fullBatches.get(counter.tenantId) ?? 0));
      }
    } finally {
      after.dispose();
      second.process.kill('SIGTERM');
    }
  });
});
