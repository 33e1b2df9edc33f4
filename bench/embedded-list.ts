/**
 * List latency on the embedded Cosmos server: the first page (100) of a tenant's list, the query the
 * service sends (`WHERE c.tenantId = @tenantId AND c.type = @type`, with the partition key option),
 * ordered by name and unordered, at 100, 1,000 and 10,000 documents in the tenant, alone in the
 * container and beside 50,000 documents of other tenants.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/embedded-list.js
 *
 * Both engines run in the same process, on the same data: `scan` is the server as published (every
 * query scans the whole container, filters, sorts every match, and the query-plan request the SDK sends
 * first runs the query too); `indexed` is the default (documents kept per partition, equality filters and
 * ORDER BY served from per-partition indexes, plan requests answered without running the query).
 * Each cell: the median wall time of 15 timed pages after 3 warm-up pages, and the CPU time per page of
 * this process (client and server share it; steadier than wall time on a busy machine); ratio = scan / indexed.
 */
import { performance } from 'node:perf_hooks';
import { CosmosClient, type Container, type OperationInput, type SqlQuerySpec } from '@azure/cosmos';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '@appproxy/cosmos-local';

const PAGE = 100;
const WARMUP = 3;
const RUNS = 15;
const OTHERS = 50_000;
const OTHER_TENANTS = 50;
type Engine = 'scan' | 'indexed';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Documents like the service's: groups and connectors in one tenant partition. */
async function load(container: Container, tenantId: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 100) {
    const ops: OperationInput[] = [];
    for (let i = start; i < Math.min(start + 100, count); i += 1) {
      ops.push({
        operationType: 'Create',
        resourceBody: {
          id: `${tenantId}-${i}`,
          tenantId,
          type: i % 2 ? 'connector' : 'connectorGroup',
          name: `name-${(i * 7919) % count}`,
          region: ['eur', 'nam', 'asia'][i % 3] ?? 'eur',
          memberCount: i % 7,
        },
      });
    }
    const response = await container.items.batch(ops, tenantId);
    if (response.code !== 200) throw new Error(`load failed with ${response.code}`);
  }
}

/** Median wall time of a first page, and the process CPU time per page (client and server share the process). */
async function firstPage(container: Container, spec: SqlQuerySpec, tenantId: string, expected: number): Promise<Timing> {
  const times: number[] = [];
  let cpu = 0;
  for (let run = 0; run < WARMUP + RUNS; run += 1) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const page = await container.items.query(spec, { partitionKey: tenantId, maxItemCount: PAGE }).fetchNext();
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpuBefore);
    if (page.resources.length !== expected) throw new Error(`expected ${expected} items, got ${page.resources.length}`);
    if (run >= WARMUP) {
      times.push(elapsed);
      cpu += (used.user + used.system) / 1000;
    }
  }
  return { ms: median(times), cpuMs: cpu / RUNS };
}

interface Timing {
  ms: number;
  cpuMs: number;
}


async function main(): Promise<void> {
  const servers: Record<Engine, EmbeddedCosmos> = {
    scan: await startEmbeddedCosmos({ engine: 'scan' }),
    indexed: await startEmbeddedCosmos(),
  };
  const clients: CosmosClient[] = [];
  const containers = {} as Record<Engine, Container>;
  for (const engine of ['scan', 'indexed'] as const) {
    const client = new CosmosClient({ endpoint: servers[engine].endpoint, key: servers[engine].key, connectionPolicy: { enableEndpointDiscovery: false } });
    clients.push(client);
    const { database } = await client.databases.create({ id: 'bench' });
    containers[engine] = (await database.containers.create({ id: 'items', partitionKey: { paths: ['/tenantId'] } })).container;
  }

  const queries = {
    'ORDER BY name': 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = @type ORDER BY c.name',
    unordered: 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = @type',
  };
  for (const others of [0, OTHERS]) {
    if (others) {
      for (const engine of ['scan', 'indexed'] as const) {
        for (let t = 0; t < OTHER_TENANTS; t += 1) await load(containers[engine], `other-${t}`, others / OTHER_TENANTS);
      }
    }
    for (const tenantDocs of [100, 1_000, 10_000]) {
      // groups are half of the tenant's documents: a page of 100 needs at least 200 of them
      const tenantId = `tenant-${tenantDocs}-${others}`;
      for (const engine of ['scan', 'indexed'] as const) await load(containers[engine], tenantId, tenantDocs);
      for (const [name, query] of Object.entries(queries)) {
        const spec = {
          query,
          parameters: [
            { name: '@tenantId', value: tenantId },
            { name: '@type', value: 'connectorGroup' },
          ],
        };
        const expected = Math.min(PAGE, tenantDocs / 2);
        const t = {} as Record<Engine, Timing>;
        for (const engine of ['scan', 'indexed'] as const) t[engine] = await firstPage(containers[engine], spec, tenantId, expected);
        console.log(
          `${String(tenantDocs).padStart(6)} in the tenant, ${String(others).padStart(6)} others, ${name.padEnd(13)}: ` +
            `p50 scan ${t.scan.ms.toFixed(1).padStart(7)} ms, indexed ${t.indexed.ms.toFixed(1).padStart(5)} ms (x${(t.scan.ms / t.indexed.ms).toFixed(1)}); ` +
            `CPU/page scan ${t.scan.cpuMs.toFixed(1).padStart(7)} ms, indexed ${t.indexed.cpuMs.toFixed(1).padStart(5)} ms (x${(t.scan.cpuMs / t.indexed.cpuMs).toFixed(1)})`,
        );
      }
    }
  }
  for (const client of clients) client.dispose();
  await Promise.all(Object.values(servers).map((s) => s.close()));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
