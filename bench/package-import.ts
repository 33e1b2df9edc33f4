/**
 * Cold-start import of the deployable entry point: the bundle `npm run package` makes, against the
 * baseline of the same code as tsc emits it over a pruned node_modules (`npm ci --omit=dev --omit=optional`),
 * both built in this run and imported alternately, each in a fresh process under the stand-in Functions
 * worker with production settings. Reports medians and the ratio.
 *
 *   npm run bench:package
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPackage } from '../src/local/package.js';

const RUNS = 9;
const PRODUCTION = {
  AUTH_MODE: 'entra',
  COSMOS_ENDPOINT: 'https://appproxy-bench.documents.azure.com:443/',
  ENTRA_AUDIENCE: '00000000-0000-0000-0000-0000000000b1',
  PAGING_KEY: 'b'.repeat(48),
};
const worker = path.resolve('test/support/functions-worker.cjs');

function importMs(dir: string, entry: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log('ms', performance.now() - t);`;
  const out = execFileSync(process.execPath, ['--require', worker, '--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH, ...PRODUCTION, WORKER_NO_IMPORT_CHECK: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return Number(/^ms (\S+)$/m.exec(out)![1]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const work = mkdtempSync(path.join(tmpdir(), 'bench-package-'));
try {
  const bundle = (await buildPackage(path.join(work, 'bundle'))).dir;

  // Baseline: tsc's output (dist/src without the local tools and source maps) over production node_modules.
  const plain = path.join(work, 'plain');
  cpSync('dist/src', path.join(plain, 'dist/src'), {
    recursive: true,
    filter: (src) => !src.endsWith('.map') && !src.split(path.sep).includes('local'),
  });
  for (const file of ['host.json', 'package.json', 'package-lock.json']) cpSync(file, path.join(plain, file));
  execFileSync('npm', ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: plain,
    stdio: 'ignore',
  });

  const times = { bundle: [] as number[], plain: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    times.plain.push(importMs(plain, './dist/src/index.js'));
    times.bundle.push(importMs(bundle, './dist/index.js'));
  }
  const [b, p] = [median(times.bundle), median(times.plain)];
  console.log(`import of the entry point, median of ${RUNS} (${process.version}):`);
  console.log(`  tsc output over pruned node_modules (baseline): ${p.toFixed(0)} ms`);
  console.log(`  bundle (npm run package):                       ${b.toFixed(0)} ms  = ${(b / p).toFixed(2)} x baseline`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
