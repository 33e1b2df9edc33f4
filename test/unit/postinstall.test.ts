import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve('scripts/postinstall.mjs');
/** A patch whose context (`= 1`) is not in the installed file (`= 2`), so it cannot apply. */
const PATCH = [
  'diff --git a/node_modules/@scope/patched/index.js b/node_modules/@scope/patched/index.js',
  'index 1111111..2222222 100644',
  '--- a/node_modules/@scope/patched/index.js',
  '+++ b/node_modules/@scope/patched/index.js',
  '@@ -1 +1 @@',
  '-module.exports = 1;',
  '+module.exports = 3;',
  '',
].join('\n');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package folder with one patch for `@scope/patched` and the given packages under node_modules. */
function project(installed: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'postinstall-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'package.json'), '{"name":"p","version":"1.0.0"}');
  mkdirSync(path.join(dir, 'patches'));
  writeFileSync(path.join(dir, 'patches', '@scope+patched+1.0.0.patch'), PATCH);
  for (const name of installed) {
    mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
    writeFileSync(path.join(dir, 'node_modules', name, 'index.js'), 'module.exports = 2;\n');
  }
  return dir;
}

const run = (cwd: string) => spawnSync(process.execPath, [SCRIPT], { cwd, encoding: 'utf8' });

describe('postinstall', () => {
  it('skips patching when no patched package is installed (npm ci --omit=dev)', () => {
    const result = run(project(['zod']));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('nothing to patch');
  });

  it('fails when a patched package is installed without patch-package', () => {
    const result = run(project(['@scope/patched']));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('patch-package is not');
  });

  it("fails when patch-package cannot apply a patch (a real failure is not hidden)", () => {
    const dir = project(['@scope/patched']);
    symlinkSync(path.resolve('node_modules/patch-package'), path.join(dir, 'node_modules', 'patch-package'));
    const result = run(dir);
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('@scope/patched');
  });
});
