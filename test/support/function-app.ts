import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';

/** What the Function App's settings hold in Azure (entra mode, managed identity to Cosmos DB). */
export const PRODUCTION = {
  AUTH_MODE: 'entra',
  COSMOS_ENDPOINT: 'https://appproxy-test.documents.azure.com:443/',
  ENTRA_AUDIENCE: '00000000-0000-0000-0000-0000000000a1',
  PAGING_KEY: 'p'.repeat(48),
};

export interface WorkerReport {
  registered: { name: string; route: string; methods: string[] }[];
  required: string[];
  outside: string[];
}

/** Unpacks a deployment zip into `dir` (nothing else is there); returns its entries, sorted. */
export function unpack(zip: string, dir: string): string[] {
  const entries = unzipSync(readFileSync(zip));
  for (const [name, data] of Object.entries(entries)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), data);
  }
  return Object.keys(entries).sort();
}

/** Imports the app's entry point in `dir` as the Functions Node worker would, with production settings. */
export function importAsWorker(dir: string): WorkerReport {
  const out = execFileSync(
    process.execPath,
    ['--require', path.resolve('test/support/functions-worker.cjs'), '--input-type=module', '-e', "await import('./dist/index.js');"],
    { cwd: dir, env: { PATH: process.env.PATH, ...PRODUCTION }, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as WorkerReport;
}
