import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compose } from '../../src/app.js';
import { importAsWorker, PRODUCTION, unpack } from '../support/function-app.js';

/**
 * azd's packaging of a `language: ts`, `host: function` service, step by step as its source defines it (read
 * in Azure/azure-dev; test/fixtures/azd/PROVENANCE.md names the files and the commit), performed on a clean
 * clone of this repository. `azd up` runs these steps for the service before it provisions and deploys.
 */

interface ServiceConfig {
  project: string;
  language: string;
  host: string;
  dist?: string;
  remoteBuild?: boolean;
  hooks?: Record<
    string,
    { posix?: { shell: string; run: string }; windows?: { shell: string; run: string }; shell?: string; run?: string }
  >;
}

/** Where azd publishes its schemas: the base of every absolute $ref in them. */
const PUBLISHED = 'https://raw.githubusercontent.com/Azure/azure-dev/main';

const azureYaml = parse(readFileSync('azure.yaml', 'utf8')) as { services: Record<string, ServiceConfig> };
const service = azureYaml.services.api!;

describe('azure.yaml', () => {
  it("is valid against azd's published JSON schema (vendored under test/fixtures/azd)", () => {
    const read = (file: string) => JSON.parse(readFileSync(path.join('test/fixtures/azd', file), 'utf8')) as { $id?: string };
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The azure.ai.* hosts' schemas are draft-07, referred to by their published URLs.
    ajv.addMetaSchema(draft07);
    // Each at the URL it is published under, so relative references between them resolve too.
    for (const file of readdirSync('test/fixtures/azd/extensions', { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.json'),
    )) {
      ajv.addSchema(read(`extensions/${file}`), `${PUBLISHED}/cli/azd/extensions/${file.split(path.sep).join('/')}`);
    }
    const validate = ajv.compile(read('azure.yaml.json'));
    const valid = validate(parse(readFileSync('azure.yaml', 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The schema does refuse what azd refuses: a hook with an unknown shell.
    expect(validate({ ...azureYaml, services: { api: { ...service, hooks: { prepackage: { shell: 'bash', run: 'x' } } } } })).toBe(false);
  });
});

/** The files a fresh `git clone` of this working tree has: tracked and new ones, nothing git ignores. */
function cloneInto(dir: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    if (!existsSync(file)) continue;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    copyFileSync(file, path.join(dir, file));
    const { atime, mtime } = statSync(file);
    utimesSync(path.join(dir, file), atime, mtime);
  }
}

/** node.IsDependenciesUpToDate (npm): node_modules/.package-lock.json is not older than package-lock.json. */
function dependenciesUpToDate(dir: string): boolean {
  const marker = path.join(dir, 'node_modules', '.package-lock.json');
  const lock = path.join(dir, 'package-lock.json');
  return existsSync(lock) && existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

/** Whether gitignore rules (a .funcignore) leave out `name`: git's own matcher, in an empty repository. */
function ignores(rules: string, name: string): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'funcignore-'));
  try {
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(path.join(dir, '.gitignore'), rules);
    return spawnSync('git', ['-C', dir, 'check-ignore', '-q', '--no-index', name]).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * resolveFunctionAppRemoteBuild for js/ts: without a .funcignore, remoteBuild (default true); with one,
 * remoteBuild: false is refused when it leaves out node_modules, and an unset remoteBuild follows it.
 */
function remoteBuild(dir: string, config: ServiceConfig): boolean {
  const file = path.join(dir, '.funcignore');
  if (!existsSync(file)) return config.remoteBuild ?? true;
  const nodeModulesExcluded = ignores(readFileSync(file, 'utf8'), 'node_modules/');
  if (config.remoteBuild === undefined) return nodeModulesExcluded;
  if (config.remoteBuild && !nodeModulesExcluded) throw new Error("'remoteBuild: true' requires '.funcignore' to exclude node_modules");
  if (!config.remoteBuild && nodeModulesExcluded)
    throw new Error("'remoteBuild: false' cannot be used when '.funcignore' excludes node_modules");
  return config.remoteBuild;
}

/** createDeployableZip: every file under `root` but .azure folders, .funcignore and local.settings.json. */
function deployableZip(root: string, config: ServiceConfig, zipFile: string): void {
  if (existsSync(path.join(root, '.funcignore'))) throw new Error('a .funcignore in the package folder needs its gitignore rules applied');
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }) as Dirent[]) {
      const isDir = entry.isDirectory();
      if (isDir && entry.name === '.azure') continue;
      if (!isDir && (entry.name === '.funcignore' || entry.name === 'local.settings.json')) continue;
      // Without an ignore file, node_modules is left out unless remoteBuild is false.
      if (isDir && entry.name === 'node_modules' && config.remoteBuild !== false) continue;
      const name = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (isDir) walk(path.join(dir, entry.name), name);
      else files[name] = readFileSync(path.join(dir, entry.name));
    }
  };
  walk(root, '');
  writeFileSync(zipFile, zipSync(files));
}

describe(`azd package of the service "api" (language: ${service.language}, host: ${service.host}) on a clean clone`, () => {
  let work: string;
  let clone: string;
  const steps: string[] = [];
  let distBeforeHooks: boolean;
  let restoreSkipped: boolean;
  let zipFile: string;
  let entries: string[];

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'azd-package-'));
    clone = path.join(work, 'clone');
    cloneInto(clone);
    const env = { ...process.env };
    const sh = (command: string, args: string[]) => {
      steps.push([command, ...args].join(' '));
      const r = spawnSync(command, args, { cwd: path.join(clone, service.project), env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    };

    // Restore (required before packaging for Node). The installed node_modules is what `npm ci` made of the
    // same lockfile; azd's check decides, as it would on this clone. Hard links when nothing will write to
    // it, a copy when npm install will.
    const upToDate = dependenciesUpToDate(process.cwd());
    const copied = upToDate && spawnSync('cp', ['-a', '--link', 'node_modules', path.join(clone, 'node_modules')]).status === 0;
    if (!copied) execFileSync('cp', ['-a', 'node_modules', path.join(clone, 'node_modules')]);
    restoreSkipped = dependenciesUpToDate(clone);
    if (restoreSkipped) steps.push('(npm dependencies already up-to-date)');
    else sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);

    distBeforeHooks = existsSync(path.join(clone, service.dist ?? '.'));
    // The prepackage hook (posix form: the shell and script azure.yaml gives).
    const hook = service.hooks?.prepackage?.posix;
    if (hook) sh(hook.shell, ['-c', hook.run]);
    // The framework's Package: `npm run build --if-present`, then the dist folder must hold something.
    sh('npm', ['run', 'build', '--if-present']);
    const dist = path.join(clone, service.project, service.dist ?? '');
    if (!existsSync(dist) || readdirSync(dist).length === 0) throw new Error(`package source '${dist}' is empty or does not exist`);
    // The function app target's Package: a zip of it.
    zipFile = path.join(work, 'api-azddeploy.zip');
    deployableZip(dist, service, zipFile);
    entries = unpack(zipFile, path.join(work, 'unpacked'));
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs restore, the prepackage hook (npm run package), npm run build --if-present, then zips dist', () => {
    // After `npm ci` azd skips the install; with a lockfile newer than node_modules it installs.
    expect(steps[0]).toBe(restoreSkipped ? '(npm dependencies already up-to-date)' : 'npm install --no-audit --no-fund --prefer-offline');
    expect(steps.slice(1)).toEqual(['sh -c npm run package', 'npm run build --if-present']);
    // A clean clone has no package before the hook: without it azd would find none.
    expect(distBeforeHooks).toBe(false);
    expect(service.dist).toBe('artifact/app');
  });

  it('deploys as built: no remote build, and the zip is the bundled app', () => {
    expect(remoteBuild(path.join(clone, service.project), service)).toBe(false);
    expect(entries).toEqual(['dist/index.js', 'host.json', 'package.json']);
    expect(statSync(zipFile).size).toBeGreaterThan(100_000);
  });

  it('imports from an empty folder with production settings and registers every function', () => {
    const report = importAsWorker(path.join(work, 'unpacked'));
    const expected = compose(PRODUCTION).routes.functions.map((f) => ({ name: f.name, route: f.route, methods: f.methods }));
    expect(report.registered).toEqual(expected);
    expect(report.outside).toEqual([]);
  });
});
