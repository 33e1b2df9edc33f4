/**
 * How the embedded Cosmos server's query time grows with container size.
 *
 *   node scripts/run-built.js dist/bench/embedded-query.js [size ...]   (default 2000 10000)
 *
 * For each size: a fresh embedded server, N documents over 10 tenants, then the median time of the
 * first page (25 items) of a selective single-partition query, and of the same query cross-partition.
 * Absolute times depend on the machine; the ratio between sizes, measured in the same run, shows the
 * growth: about the size ratio when linear, its square when quadratic. Not part of the tests.
 */
import { performance } from 'node:perf_hooks';
import { CosmosClient, type Container, type FeedOptions, type OperationInput, type SqlQuerySpec } from '@azure/cosmos';
import { startEmbeddedCosmos } from '@appproxy/cosmos-local';

const TENANTS = 10;
const PAGE = 25;
const WARMUP = 3;
const RUNS = 15;

interface Timing {
  size: number;
  loadSeconds: number;
  singlePartitionMs: number;
  crossPartitionMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function load(container: Container, size: number): Promise<void> {
  // One transactional batch of up to 100 creates per tenant at a time: the fastest way in.
  const perTenant = Math.ceil(size / TENANTS);
  for (let t = 0; t < TENANTS; t += 1) {
    const tenantId = `tenant-${t}`;
    for (let start = 0; start < perTenant; start += 100) {
      const ops: OperationInput[] = [];
      for (let i = start; i < Math.min(start + 100, perTenant) && t * perTenant + i < size; i += 1) {
        ops.push({
          operationType: 'Create',
          resourceBody: {
            id: `d-${t}-${i}`,
            tenantId,
            type: i % 2 ? 'connector' : 'connectorGroup',
            name: `name-${(i * 7919) % perTenant}`,
            payload: 'x'.repeat(100),
          },
        });
      }
      if (ops.length === 0) continue;
      const response = await container.items.batch(ops, tenantId);
      const failed = response.result?.find((r) => r.statusCode >= 400);
      if (failed) throw new Error(`load failed with ${failed.statusCode}`);
    }
  }
}

async function firstPageMs(container: Container, spec: SqlQuerySpec, options: FeedOptions): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < WARMUP + RUNS; run += 1) {
    const started = performance.now();
    const page = await container.items.query(spec, { ...options, maxItemCount: PAGE }).fetchNext();
    const elapsed = performance.now() - started;
    if (page.resources.length !== PAGE) throw new Error(`expected a full page, got ${page.resources.length}`);
    if (run >= WARMUP) times.push(elapsed);
  }
  return median(times);
}

async function measure(size: number): Promise<Timing> {
  const server = await startEmbeddedCosmos();
  const client = new CosmosClient({
    endpoint: server.endpoint,
    key: server.key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  try {
    const { database } = await client.databases.create({ id: 'bench' });
    const { container } = await database.containers.create({ id: 'items', partitionKey: { paths: ['/tenantId'] } });
    const loadStarted = performance.now();
    await load(container, size);
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    const tenantId = 'tenant-7';
    const singlePartitionMs = await firstPageMs(
      container,
      {
        query: 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = @type ORDER BY c.name',
        parameters: [
          { name: '@tenantId', value: tenantId },
          { name: '@type', value: 'connector' },
        ],
      },
      { partitionKey: tenantId },
    );
    const crossPartitionMs = await firstPageMs(
      container,
      { query: 'SELECT * FROM c WHERE c.type = @type ORDER BY c.name', parameters: [{ name: '@type', value: 'connector' }] },
      {},
    );
    return { size, loadSeconds, singlePartitionMs, crossPartitionMs };
  } finally {
    client.dispose();
    await server.close();
  }
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  if (sizes.length === 0) sizes.push(2000, 10000);

  const timings: Timing[] = [];
  for (const size of sizes) {
    const timing = await measure(size);
    timings.push(timing);
    console.log(
      `${String(size).padStart(7)} docs: load ${timing.loadSeconds.toFixed(1)} s, first page p50 ` +
        `single-partition ${timing.singlePartitionMs.toFixed(2)} ms, cross-partition ${timing.crossPartitionMs.toFixed(2)} ms`,
    );
  }

  const [base, ...rest] = timings;
  if (!base) return;
  for (const timing of rest) {
    const sizeRatio = timing.size / base.size;
    console.log(
      `${timing.size}/${base.size} docs (x${sizeRatio.toFixed(1)}; linear ~x${sizeRatio.toFixed(1)}, quadratic ~x${(sizeRatio ** 2).toFixed(0)}): ` +
        `single-partition x${(timing.singlePartitionMs / base.singlePartitionMs).toFixed(1)}, ` +
        `cross-partition x${(timing.crossPartitionMs / base.crossPartitionMs).toFixed(1)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
