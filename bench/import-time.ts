/**
 * Cold start: how long a fresh Node process takes to import the deployed entry point (dist/src/index.js,
 * what the Functions worker loads), measured in child processes, median of several runs. CPU time is
 * reported beside wall time: on a shared machine it is the steadier of the two. Run twice: with
 * a connection string, and with an endpoint (the managed-identity path, whose credential is only made
 * on the first Cosmos request). Also the import of the heaviest dependencies alone, for scale.
 *
 *   node scripts/run-built.js dist/bench/import-time.js [runs]     (default 7)
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = pathToFileURL(join(here, '..', 'src', 'index.js')).href;
const runs = Number(process.argv[2] ?? 7);

const BASE_ENV = {
  AUTH_MODE: 'entra',
  ENTRA_AUDIENCE: 'api://appproxy-bench',
  PAGING_KEY: 'x'.repeat(32),
  COSMOS_DATABASE: 'appproxy',
  COSMOS_CONTAINER: 'directory',
};
// Never contacted: importing the entry point makes clients but sends nothing.
const ACCOUNT = 'https://bench-account.documents.azure.com:443/';
const KEY = Buffer.alloc(64).toString('base64');

/** Wall time and CPU time (all threads of the child) of the import, in ms. */
function importMs(specifier: string, env: Record<string, string>): { wall: number; cpu: number } {
  const script =
    `const t = performance.now(); const c0 = process.cpuUsage(); await import(${JSON.stringify(specifier)}); ` +
    'const c = process.cpuUsage(c0); process.stdout.write(JSON.stringify({ wall: performance.now() - t, cpu: (c.user + c.system) / 1000 }));';
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`import of ${specifier} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { wall: number; cpu: number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const cases: [string, string, Record<string, string>][] = [
  ['entry point, connection string', entry, { ...BASE_ENV, COSMOS_CONNECTION_STRING: `AccountEndpoint=${ACCOUNT};AccountKey=${KEY};` }],
  ['entry point, endpoint + managed identity', entry, { ...BASE_ENV, COSMOS_ENDPOINT: ACCOUNT }],
  ['@azure/cosmos alone', '@azure/cosmos', {}],
  ['@azure/identity alone', '@azure/identity', {}],
  ['@azure/functions alone', '@azure/functions', {}],
];

const rows = cases.map(([name, specifier, env]) => {
  importMs(specifier, env); // once to warm the file system cache
  const times = Array.from({ length: runs }, () => importMs(specifier, env));
  const stats = (values: number[]) => `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
  return {
    import: name,
    'wall ms, median (min–max)': stats(times.map((t) => t.wall)),
    'CPU ms, median (min–max)': stats(times.map((t) => t.cpu)),
  };
});
console.log(`Import time in a fresh process (${runs} runs each, Node ${process.version}):`);
console.table(rows);
