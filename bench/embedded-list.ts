/**
 * List latency on the embedded Cosmos server: the first page (100) of a tenant's list, the query the
 * service sends (`WHERE c.tenantId = @tenantId AND c.type = @type`, with the partition key option),
 * ordered by name and unordered, at 100, 1,000 and 10,000 documents in the tenant, alone in the
 * container and beside 50,000 documents of other tenants; and the audit log's first page (newest first, the
 * order its composite index serves) in a tenant holding as many groups and connectors again beside its records.
 *
 *   node scripts/run-built.js dist/bench/embedded-list.js
 *
 * The servers run in the same process, on the same data: `indexed` is the default (a partition's sorted
 * indexes read from the continuation point), `scan` the plain scan (every document in scope evaluated and
 * sorted), and, with BENCH_COSMOS_REFERENCE naming a module of another build that exports
 * `startEmbeddedCosmos` (e.g. an earlier commit's dist/src/local/cosmos-server.js), that build's server.
 * Each cell: the median wall time of 15 timed pages after 3 warm-up pages, and the CPU time per page of
 * this process (client and server share it; steadier than wall time on a busy machine); ratio = other / indexed.
 */
import { performance } from 'node:perf_hooks';
import { CosmosClient, type Container, type OperationInput, type SqlQuerySpec } from '@azure/cosmos';
import { pathToFileURL } from 'node:url';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '@appproxy/cosmos-local';
import { auditOrder, containerIndexingPolicy } from '../src/directory/documents.js';
import { orderByClause } from '../src/store/sql.js';

const PAGE = 100;
const WARMUP = 3;
const RUNS = 15;
const OTHERS = 50_000;
const OTHER_TENANTS = 50;

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

/** `count` audit records, their times in no order, in a tenant's partition. */
async function loadRecords(container: Container, tenantId: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 100) {
    const ops: OperationInput[] = [];
    for (let i = start; i < Math.min(start + 100, count); i += 1) {
      const at = new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % count) * 1000).toISOString();
      ops.push({
        operationType: 'Create',
        resourceBody: {
          id: `${tenantId}-audit-${i}`,
          tenantId,
          type: 'directoryAudit',
          activityDateTime: at,
          activityDisplayName: 'Add connector Group',
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
  const servers = new Map<string, EmbeddedCosmos>([
    ['indexed', await startEmbeddedCosmos()],
    ['scan', await startEmbeddedCosmos({ engine: 'scan' })],
  ]);
  const reference = process.env.BENCH_COSMOS_REFERENCE?.trim();
  if (reference) {
    const module = (await import(pathToFileURL(reference).href)) as { startEmbeddedCosmos: () => Promise<EmbeddedCosmos> };
    servers.set('reference', await module.startEmbeddedCosmos());
  }
  const names = [...servers.keys()];
  const clients: CosmosClient[] = [];
  const containers = new Map<string, Container>();
  for (const [name, server] of servers) {
    const client = new CosmosClient({ endpoint: server.endpoint, key: server.key, connectionPolicy: { enableEndpointDiscovery: false } });
    clients.push(client);
    const { database } = await client.databases.create({ id: 'bench' });
    const container = await database.containers.create({
      id: 'items',
      partitionKey: { paths: ['/tenantId'] },
      indexingPolicy: containerIndexingPolicy(),
    });
    containers.set(name, container.container);
  }
  /** The first page's p50 on each server, each beside the indexed server's. */
  const compare = async (spec: SqlQuerySpec, tenantId: string, expected: number): Promise<string[]> => {
    const t = new Map<string, Timing>();
    for (const [server, container] of containers) t.set(server, await firstPage(container, spec, tenantId, expected));
    const base = t.get('indexed') as Timing;
    return names.map((server) => {
      const { ms, cpuMs } = t.get(server) as Timing;
      const ratio = server === 'indexed' ? '' : ` (x${(ms / base.ms).toFixed(1)}, CPU x${(cpuMs / base.cpuMs).toFixed(1)})`;
      return `${server} ${ms.toFixed(1)} ms, CPU ${cpuMs.toFixed(1)} ms${ratio}`;
    });
  };

  const queries = {
    'ORDER BY name': 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = @type ORDER BY c.name',
    unordered: 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = @type',
  };
  for (const others of [0, OTHERS]) {
    if (others) {
      for (const container of containers.values()) {
        for (let t = 0; t < OTHER_TENANTS; t += 1) await load(container, `other-${t}`, others / OTHER_TENANTS);
      }
    }
    for (const tenantDocs of [100, 1_000, 10_000]) {
      // groups are half of the tenant's documents: a page of 100 needs at least 200 of them
      const tenantId = `tenant-${tenantDocs}-${others}`;
      for (const container of containers.values()) await load(container, tenantId, tenantDocs);
      for (const [name, query] of Object.entries(queries)) {
        const spec = {
          query,
          parameters: [
            { name: '@tenantId', value: tenantId },
            { name: '@type', value: 'connectorGroup' },
          ],
        };
        const cells = await compare(spec, tenantId, Math.min(PAGE, tenantDocs / 2));
        console.log(
          `${String(tenantDocs).padStart(6)} in the tenant, ${String(others).padStart(6)} others, ${name.padEnd(13)}: p50 ${cells.join('; ')}`,
        );
      }
      // The audit log: as many records as groups and connectors in the tenant, read newest first.
      const auditTenant = `audit-${tenantDocs}-${others}`;
      for (const container of containers.values()) {
        await load(container, auditTenant, tenantDocs);
        await loadRecords(container, auditTenant, tenantDocs);
      }
      const spec = {
        query: `SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = @type${orderByClause(auditOrder(true))}`,
        parameters: [
          { name: '@tenantId', value: auditTenant },
          { name: '@type', value: 'directoryAudit' },
        ],
      };
      const cells = await compare(spec, auditTenant, Math.min(PAGE, tenantDocs));
      console.log(
        `${String(tenantDocs).padStart(6)} records + as many others, ${String(others).padStart(6)} others, audit log   : p50 ${cells.join('; ')}`,
      );
    }
  }
  for (const client of clients) client.dispose();
  await Promise.all([...servers.values()].map((s) => s.close()));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
