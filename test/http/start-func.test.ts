/**
 * `npm start` where Azure Functions Core Tools are installed: it runs `func start` on the port, with the
 * settings `func` needs even without a local.settings.json (FUNCTIONS_WORKER_RUNTIME=node) and the service's
 * own (the embedded Cosmos server's connection string). A stand-in `func` on the PATH records what it got.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, freePort, launch, projectFolder, removeProjectFolders } from '../support/start.js';

let bin: string;
beforeAll(() => {
  ensureBuilt();
  bin = mkdtempSync(path.join(tmpdir(), 'func-stand-in-'));
  // Answers `func --version`; for `func start` writes its arguments and environment to FUNC_RECORD and exits.
  writeFileSync(
    path.join(bin, 'func'),
    `#!${process.execPath}
const args = process.argv.slice(2);
if (args[0] === '--version') { console.log('4.0.0-stand-in'); process.exit(0); }
require('node:fs').writeFileSync(process.env.FUNC_RECORD, JSON.stringify({ args, cwd: process.cwd(), env: process.env }));
`,
  );
  chmodSync(path.join(bin, 'func'), 0o755);
});
afterAll(() => {
  if (bin) rmSync(bin, { recursive: true, force: true });
  removeProjectFolders();
});

interface FuncRecord {
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

async function runWithFunc(env: FuncRecord['env'] = {}) {
  const cwd = projectFolder();
  const record = path.join(cwd, 'func-record.json');
  const port = await freePort();
  const run = launch({
    cwd,
    args: ['--in-memory'],
    env: { PATH: bin, FUNC_RECORD: record, PORT: String(port), ...env } as { [k: string]: string },
  });
  const code = await run.exited;
  return {
    code,
    output: run.output(),
    port,
    cwd,
    recorded: existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as FuncRecord) : undefined,
  };
}

describe('npm start with Core Tools on the PATH', () => {
  it('runs func start on the port, with FUNCTIONS_WORKER_RUNTIME=node and no local.settings.json', { timeout: 60_000 }, async () => {
    const { code, output, port, cwd, recorded } = await runWithFunc();
    expect(code, output).toBe(0);
    expect(output).toContain('Host: Azure Functions Core Tools (func start)');
    expect(existsSync(path.join(cwd, 'local.settings.json'))).toBe(false);
    expect(recorded, output).toBeDefined();
    expect(recorded!.args).toEqual(['start', '--port', String(port)]);
    expect(path.resolve(recorded!.cwd)).toBe(path.resolve(cwd));
    expect(recorded!.env.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    // The service's settings go along: local tokens, the embedded Cosmos server it started.
    expect(recorded!.env.AUTH_MODE).toBe('local');
    expect(recorded!.env.COSMOS_CONNECTION_STRING).toMatch(/^AccountEndpoint=http:\/\/127\.0\.0\.1:\d+\/;AccountKey=/);
  });

  it('keeps FUNCTIONS_WORKER_RUNTIME=node as given, and refuses another language with a message', { timeout: 60_000 }, async () => {
    expect((await runWithFunc({ FUNCTIONS_WORKER_RUNTIME: 'node' })).recorded?.env.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    const other = await runWithFunc({ FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated' });
    expect(other.code).toBe(1);
    expect(other.recorded).toBeUndefined();
    expect(other.output).toContain('FUNCTIONS_WORKER_RUNTIME is "dotnet-isolated"');
  });
});
