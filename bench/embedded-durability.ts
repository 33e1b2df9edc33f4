/**
 * What durability costs the embedded Cosmos server, measured in one run against the in-memory server:
 *
 *   node scripts/run-built.js dist/bench/embedded-durability.js [seconds per cell, default 3]
 *
 * - store: writes per second through the SDK (a create, or a transactional batch of 3 creates and a
 *   Patch incr) at 1 and 16 in flight, durable (journal on a temporary directory) against in memory;
 * - service: connector-group creates per second through the whole service (local host, token check,
 *   directory rules, the SDK) at 1 and 16 in flight, over the durable and over the in-memory server.
 * Each cell is the median of 3 rounds, the modes alternating; ratios are durable / in memory.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CosmosClient, type Container } from '@azure/cosmos';
import { compose } from '../src/app.js';
import { mintLocalToken } from '../src/identity/index.js';
import { startEmbeddedCosmos, LOCAL_COSMOS_KEY, type EmbeddedCosmos } from '@appproxy/cosmos-local';
import { startLocalHost } from '../src/local/host.js';
import { ensureContainer } from '../src/store/client.js';
import { containerIndexingPolicy } from '../src/directory/documents.js';

const ROUNDS = 3;
const seconds = Number(process.argv[2] ?? 3);
type Mode = 'memory' | 'durable';
const MODES: Mode[] = ['memory', 'durable'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs `op` with `inFlight` concurrent loops for `seconds`; operations per second. */
async function rate(inFlight: number, op: (worker: number, i: number) => Promise<void>): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, worker) => {
      for (let i = 0; performance.now() < until; i += 1) {
        await op(worker, i);
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function startServer(mode: Mode): Promise<{ server: EmbeddedCosmos; cleanup: () => Promise<void> }> {
  const dir = mode === 'durable' ? mkdtempSync(join(tmpdir(), 'bench-durable-')) : undefined;
  const server = await startEmbeddedCosmos(dir ? { dataDir: dir } : {});
  return {
    server,
    cleanup: async () => {
      await server.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function storeRates(mode: Mode, inFlight: number): Promise<{ create: number; batch: number }> {
  const { server, cleanup } = await startServer(mode);
  const client = new CosmosClient({ endpoint: server.endpoint, key: server.key, connectionPolicy: { enableEndpointDiscovery: false } });
  try {
    const { database } = await client.databases.create({ id: 'bench' });
    const { container } = await database.containers.create({ id: 'items', partitionKey: { paths: ['/tenantId'] } });
    const tenant = (w: number) => `t${w}`;
    for (let w = 0; w < inFlight; w += 1) await container.items.create({ id: 'counter', tenantId: tenant(w), count: 0 });
    const create = await rate(inFlight, async (w, i) => {
      await container.items.create({ id: `c-${w}-${i}`, tenantId: tenant(w), name: `name ${i}`, payload: 'x'.repeat(200) });
    });
    const batch = await rate(inFlight, async (w, i) => {
      const response = await batchOf(container, tenant(w), `b-${w}-${i}`);
      if (response !== 200) throw new Error(`batch answered ${response}`);
    });
    return { create, batch };
  } finally {
    client.dispose();
    await cleanup();
  }
}

async function batchOf(container: Container, tenantId: string, key: string): Promise<number | undefined> {
  const response = await container.items.batch(
    [
      ...[0, 1, 2].map((k) => ({
        operationType: 'Create' as const,
        resourceBody: { id: `${key}-${k}`, tenantId, payload: 'x'.repeat(200) },
      })),
      { operationType: 'Patch' as const, id: 'counter', resourceBody: [{ op: 'incr' as const, path: '/count', value: 3 }] },
    ],
    tenantId,
  );
  return response.code;
}

async function serviceRate(mode: Mode, inFlight: number): Promise<number> {
  const { server, cleanup } = await startServer(mode);
  const keysDir = mkdtempSync(join(tmpdir(), 'bench-keys-'));
  const app = compose({
    AUTH_MODE: 'local',
    LOCAL_KEYS_DIR: keysDir,
    COSMOS_CONNECTION_STRING: `AccountEndpoint=${server.endpoint};AccountKey=${LOCAL_COSMOS_KEY};`,
    COSMOS_DATABASE: 'bench',
    COSMOS_CONTAINER: 'directory',
  });
  const policy = containerIndexingPolicy();
  // Azure (and so the embedded server) serves a composite index's exact reverse too and allows at most
  // 100; keep one direction pair per ordered property pair until the policy itself does.
  const compositeIndexes = policy.compositeIndexes?.filter((index) => index[0]?.order === 'ascending');
  await ensureContainer(app.cosmos, app.settings.cosmos, { ...policy, compositeIndexes });
  const host = await startLocalHost(app.routes);
  try {
    const tenant = randomUUID();
    const token = await mintLocalToken(keysDir, { tenant, scope: 'Directory.ReadWrite.All' });
    const url = `${host.url}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const first = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ name: 'warm-up' }) });
    if (first.status !== 201) throw new Error(`create answered ${first.status}: ${await first.text()}`);
    return await rate(inFlight, async (w, i) => {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ name: `g-${w}-${i}` }) });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`create answered ${res.status}`);
    });
  } finally {
    await host.close();
    app.cosmos.dispose();
    rmSync(keysDir, { recursive: true, force: true });
    await cleanup();
  }
}

async function main(): Promise<void> {
  const rows: { what: string; inFlight: number; memory: number; durable: number }[] = [];
  for (const inFlight of [1, 16]) {
    const samples: Record<string, Record<Mode, number[]>> = {
      'store create': { memory: [], durable: [] },
      'store batch (3 creates + incr)': { memory: [], durable: [] },
      'service POST connectorGroups': { memory: [], durable: [] },
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const mode of round % 2 ? [...MODES].reverse() : MODES) {
        const store = await storeRates(mode, inFlight);
        samples['store create']![mode].push(store.create);
        samples['store batch (3 creates + incr)']![mode].push(store.batch);
        samples['service POST connectorGroups']![mode].push(await serviceRate(mode, inFlight));
      }
    }
    for (const [what, s] of Object.entries(samples)) rows.push({ what, inFlight, memory: median(s.memory), durable: median(s.durable) });
  }
  console.log(`per second, median of ${ROUNDS} rounds of ${seconds} s; ratio = durable / in memory`);
  for (const r of rows) {
    console.log(
      `${r.what.padEnd(32)} ${String(r.inFlight).padStart(2)} in flight: in memory ${r.memory.toFixed(0).padStart(6)}/s, ` +
        `durable ${r.durable.toFixed(0).padStart(6)}/s, ratio ${(r.durable / r.memory).toFixed(2)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
