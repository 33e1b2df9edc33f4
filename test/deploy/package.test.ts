import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/app.js';
import { buildPackage, type Package } from '../../src/local/package.js';
import { importAsWorker, PRODUCTION, unpack } from '../support/function-app.js';

let work: string;
let made: Package;
let app: string;
let files: string[];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'package-'));
  made = await buildPackage(path.join(work, 'artifact'));
  // Unpack into an empty folder; nothing is installed there.
  app = path.join(work, 'unpacked');
  files = unpack(made.zip, app);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the deployable package (npm run package)', () => {
  it('holds host.json, a package.json without dependencies and the bundled entry point, nothing else', () => {
    expect(files).toEqual(['dist/index.js', 'host.json', 'package.json']);
    const manifest = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ type: 'module', main: 'dist/index.js' });
    expect(manifest).not.toHaveProperty('dependencies');
    expect(manifest).not.toHaveProperty('scripts');
    expect(readFileSync(path.join(app, 'host.json'), 'utf8')).toBe(readFileSync('host.json', 'utf8'));
  });

  it('bundles production dependencies only', () => {
    const { devDependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
    const names = made.bundledPackages.map((folder) => folder.replace(/^.*node_modules\//, ''));
    for (const name of ['@azure/functions', '@azure/cosmos', 'jose', 'zod']) expect(names).toContain(name);
    expect(names.filter((name) => name in devDependencies)).toEqual([]);
  });

  it('imports in an empty folder with production settings and registers every function with app.http', () => {
    const report = importAsWorker(app);
    const expected = compose(PRODUCTION).routes.functions.map((f) => ({ name: f.name, route: f.route, methods: f.methods }));
    expect(expected.length).toBeGreaterThan(40);
    expect(report.registered).toEqual(expected);
    // Nothing came from outside the folder; the only packages asked for are the optional ones left out.
    expect(report.outside).toEqual([]);
    const leftOutNames = made.leftOut.map((folder) => folder.replace(/^.*node_modules\//, ''));
    expect(report.required.filter((name) => !leftOutNames.includes(name))).toEqual([]);
  });
});
