import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_KEYS_DIR } from '../support/tokens.js';

/**
 * scripts/run-built.js, behind `npm run token` and `npm start`, in a copy of the project: it compiles only
 * when dist/ is missing or older than a source, never twice at once, never runs a build that failed, and
 * keeps stdout for the program (the token).
 */
const ROOT = process.cwd();
let copy = '';

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['scripts/run-built.js', ...args], { cwd: copy });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const compiles = (stderr: string) => stderr.split('Compiling (dist/ is missing or older than the sources)').length - 1;

beforeAll(() => {
  copy = mkdtempSync(path.join(tmpdir(), 'appproxy-built-'));
  for (const name of ['src', 'bench', 'packages', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(path.join(ROOT, name), path.join(copy, name), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

it('compiles a missing dist/ once, even when two calls find it missing together', async () => {
  const [a, b] = await Promise.all([run(), run()]);
  expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
  expect(compiles(a.stderr) + compiles(b.stderr)).toBe(1);
}, 180_000);

it('prints a token on a current build without compiling, and nothing else on stdout', async () => {
  const { code, stdout, stderr } = await run('dist/src/local/token.js', '--keys-dir', TEST_KEYS_DIR, '--scope', 'Directory.Read.All');
  expect(code, stderr).toBe(0);
  expect(compiles(stderr)).toBe(0);
  expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const claims = JSON.parse(Buffer.from(stdout.split('.')[1]!, 'base64url').toString('utf8')) as { scp: string };
  expect(claims.scp).toBe('Directory.Read.All');
  // The entry point sees its own arguments: a bad one is its usage error, exit code 2.
  const bad = await run('dist/src/local/token.js', '--tenant', 'not-a-guid');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--tenant must be a GUID');
}, 60_000);

it('compiles again when a source is newer than its output', async () => {
  // The source newer than its output, both in the past: the rebuilt output is then newer than the source
  // however fast the compiler is (a source dated in the future would stay "newer" after a quick build).
  const source = path.join(copy, 'src/host/request-log.ts');
  const output = path.join(copy, 'dist/src/host/request-log.js');
  const [older, old] = [new Date(Date.now() - 60_000), new Date(Date.now() - 30_000)];
  utimesSync(output, older, older);
  utimesSync(source, old, old);
  const { code, stderr } = await run();
  expect(code, stderr).toBe(0);
  expect(compiles(stderr)).toBe(1);
  expect(compiles((await run()).stderr)).toBe(0);
}, 180_000);

it('never runs a build that failed: it says so and tries again on the next call', async () => {
  const file = path.join(copy, 'src/host/request-log.ts');
  writeFileSync(file, `${readFileSync(file, 'utf8')}\nexport const broken: number = 'text';\n`);
  for (let i = 0; i < 2; i++) {
    const { code, stdout, stderr } = await run('dist/src/local/token.js', '--keys-dir', TEST_KEYS_DIR);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(compiles(stderr)).toBe(1);
    expect(stderr).toContain("Type 'string' is not assignable to type 'number'");
    expect(stderr).toContain('The build failed: fix the errors above');
  }
}, 240_000);
