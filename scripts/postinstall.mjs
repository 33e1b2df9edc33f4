// Applies patches/ with patch-package. Every patched package is a devDependency, so an install without
// them (`npm ci --omit=dev`, a lean production build) has nothing to patch and no patch-package either:
// that case is skipped. A patched package that is installed without patch-package, or a patch that does
// not apply, still fails the install.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// Resolved from the package being installed (npm runs this script there), not from this file.
const require = createRequire(path.resolve('package.json'));
const installed = (name) => existsSync(`node_modules/${name}/package.json`);

// patch-package names a patch `<scope>+<name>+<version>.patch`.
const patched = readdirSync('patches')
  .filter((file) => file.endsWith('.patch'))
  .map((file) => file.replace(/\+[^+]+\.patch$/, '').replace('+', '/'));

if (!patched.some(installed)) {
  console.log(`postinstall: none of the patched packages (${patched.join(', ')}) is installed; nothing to patch.`);
  process.exit(0);
}
let bin;
try {
  bin = require.resolve('patch-package/index.js');
} catch {
  console.error('postinstall: patched packages are installed but patch-package is not; install the devDependencies.');
  process.exit(1);
}
const run = spawnSync(process.execPath, [bin], { stdio: 'inherit' });
process.exit(run.status ?? 1);
