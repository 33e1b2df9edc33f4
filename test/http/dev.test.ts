import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { embeddedConnectionString, freePort } from '../support/start.js';
import { TEST_KEYS_DIR, TEST_TENANT, tokenFor } from '../support/tokens.js';

/**
 * `npm run dev` in a copy of the project (its sources are edited here): a change is compiled and the
 * service restarted with it; a change that does not compile restarts nothing; Ctrl-C stops it all.
 */
const ROOT = process.cwd();
let copy = '';
let dev: ChildProcess;
let output = '';
let base = '';

const count = (text: string) => output.split(text).length - 1;

async function until(what: string, done: () => boolean, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`npm run dev: no ${what}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function notFoundMessage(): Promise<string> {
  const reply = await fetch(`${base}/beta/nothing/here`, { headers: { authorization: `Bearer ${await tokenFor(TEST_TENANT)}` } });
  expect(reply.status).toBe(404);
  return ((await reply.json()) as { error: { message: string } }).error.message;
}

beforeAll(async () => {
  copy = mkdtempSync(path.join(tmpdir(), 'appproxy-dev-'));
  for (const name of ['src', 'bench', 'packages', 'scripts', 'host.json', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(path.join(ROOT, name), path.join(copy, name), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dev = spawn(process.execPath, ['scripts/dev.js', '--in-memory'], {
    cwd: copy,
    env: {
      PATH: '',
      PORT: String(port),
      COSMOS_CONNECTION_STRING: embeddedConnectionString(await freePort()),
      LOCAL_KEYS_DIR: TEST_KEYS_DIR,
    },
  });
  dev.stdout!.on('data', (d) => (output += d));
  dev.stderr!.on('data', (d) => (output += d));
  await until('first start', () => count('Ctrl-C stops') === 1, 180_000);
}, 200_000);

afterAll(() => {
  if (dev.exitCode === null) dev.kill('SIGKILL');
  rmSync(copy, { recursive: true, force: true });
});

const FALLBACK = 'src/functions/fallback.ts';
const edit = (file: string, change: (text: string) => string) =>
  writeFileSync(path.join(copy, file), change(readFileSync(path.join(copy, file), 'utf8')));

it('serves the first build', async () => {
  expect(output).toContain('tsc: ');
  expect(await notFoundMessage()).toContain("Resource '/beta/nothing/here'");
});

it('rebuilds and restarts on a change, serving the new code', async () => {
  edit(FALLBACK, (text) => text.replace('notFound(`Resource', 'notFound(`Edited resource'));
  await until('restart', () => count('Ctrl-C stops') === 2, 120_000);
  expect(count('dev: rebuilt: restarting the service.')).toBe(1);
  expect(await notFoundMessage()).toContain("Edited resource '/beta/nothing/here'");
}, 150_000);

it('keeps the last good build serving when a change does not compile', async () => {
  edit(FALLBACK, (text) => `${text}\nexport const broken: number = 'not a number';\n`);
  await until('report of the failed build', () => output.includes('dev: not restarted'), 120_000);
  expect(count('Ctrl-C stops')).toBe(2);
  expect(await notFoundMessage()).toContain('Edited resource');
}, 150_000);

it('stops the service and the compiler on Ctrl-C', async () => {
  const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
  dev.kill('SIGINT');
  expect(await exited).toBe(0);
  await expect(fetch(`${base}/beta/nothing/here`)).rejects.toThrow();
}, 60_000);
