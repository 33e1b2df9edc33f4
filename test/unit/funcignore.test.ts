import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `.funcignore`: what Core Tools' `func azure functionapp publish` leaves out of a zip of the project folder
 * (gitignore rules), and what azd reads to decide on a remote build (azure.yaml deploys `artifact/app` as
 * built, so it must not leave out node_modules: test/deploy/azd-package.test.ts).
 */
const rules = readFileSync('.funcignore', 'utf8');
let repo: string;

/** git's own matcher, in an empty repository holding only the rules. */
const ignored = (name: string) => spawnSync('git', ['-C', repo, 'check-ignore', '-q', '--no-index', name]).status === 0;

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'funcignore-'));
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(path.join(repo, '.gitignore'), rules);
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('.funcignore', () => {
  it('keeps what the Functions host loads: host.json, package.json, the compiled app and its node_modules', () => {
    for (const name of [
      'host.json',
      'package.json',
      'dist/src/index.js',
      'dist/src/functions/index.js',
      'node_modules/',
      'node_modules/@azure/cosmos/package.json',
    ]) {
      expect(ignored(name), name).toBe(false);
    }
  });

  it('leaves out sources, tests, tooling and local settings', () => {
    for (const name of [
      'src/index.ts',
      'test/http/seeds.test.ts',
      'dist/test/support/app.js',
      'dist/src/index.js.map',
      'local.settings.json',
      'README.md',
      'packages/',
      'artifact/',
    ]) {
      expect(ignored(name), name).toBe(true);
    }
  });

  it('names only paths the project has (a rule for something removed is a stale one)', () => {
    const literal = rules
      .split('\n')
      .filter((line) => line.startsWith('/') && !/[*?[]/.test(line) && !line.startsWith('/dist/'))
      .map((line) => line.slice(1));
    const generated = new Set(['.local', 'artifact', 'local.settings.json']);
    expect(literal.filter((name) => !generated.has(name) && !existsSync(name))).toEqual([]);
  });
});
