/**
 * `node scripts/run-built.js [dist/<entry>.js [args...]]`: compiles the project only when dist/ is missing or
 * older than its sources, then runs the entry point in this process (no second Node start). Every npm script
 * that runs compiled code uses it, so a call on a built project costs no compile (a full one takes seconds).
 *
 * Plain JavaScript on purpose: it must run before anything is compiled. The compiler's output goes to
 * stderr, so stdout stays the entry point's own (`npm run -s token` prints only the token).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * What `npm run build` compiles, in order: the embedded Cosmos server's package (its own dist/, which Node
 * loads through the workspace link), then the project; each with its source folders and the files whose
 * change changes every output.
 */
const BUILDS = [
  { config: 'packages/cosmos-local/tsconfig.json', dirs: [['packages/cosmos-local/src', 'packages/cosmos-local/dist']] },
  {
    config: 'tsconfig.build.json',
    dirs: [
      ['src', 'dist/src'],
      ['bench', 'dist/bench'],
    ],
  },
];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'packages/cosmos-local/tsconfig.json'];
/** Holds the pid of the process building; a lock whose process is gone (Ctrl-C, kill) is taken over. */
const LOCK = path.join(root, '.local', 'build.lock');

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(file);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield file;
  }
}

/** Current when every source has its .js in dist/ at least as new as itself and as the configuration. */
function isCurrent() {
  const configured = Math.max(...CONFIG_FILES.map((file) => mtime(path.join(root, file)) ?? 0));
  for (const { dirs } of BUILDS) {
    for (const [dir, out] of dirs) {
      for (const source of sources(path.join(root, dir))) {
        const built = mtime(path.join(root, out, path.relative(path.join(root, dir), source)).replace(/\.ts$/, '.js'));
        if (built === undefined || built < Math.max(mtime(source) ?? Infinity, configured)) return false;
      }
    }
  }
  return true;
}

/** The pid in the lock file; undefined while its writer has created it but not yet written it. */
function lockHolder() {
  try {
    const text = readFileSync(LOCK, 'utf8');
    return text === '' && Date.now() - (mtime(LOCK) ?? 0) < 5_000 ? undefined : Number(text);
  } catch (error) {
    if (error.code === 'ENOENT') return 0;
    throw error;
  }
}

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One build at a time (several `npm run token`s or test workers may find dist/ stale together). */
async function build() {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = lockHolder();
      if (holder !== undefined && !isAlive(holder)) rmSync(LOCK, { force: true });
      else await sleep(100);
    }
  }
  try {
    if (isCurrent()) return true;
    process.stderr.write('Compiling (dist/ is missing or older than the sources)...\n');
    // --noEmitOnError: a failed build leaves dist/ stale, so the next call compiles (and fails) again
    // rather than running the half-checked output.
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const { config } of BUILDS) {
      const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, config), '--noEmitOnError'], {
        cwd: root,
        stdio: ['ignore', 2, 2],
      });
      if (result.status !== 0) return false;
    }
    return true;
  } finally {
    rmSync(LOCK, { force: true });
  }
}

if (!isCurrent() && !(await build())) {
  process.stderr.write('The build failed: fix the errors above (npm run build shows them too).\n');
  process.exit(1);
}
const [entry, ...args] = process.argv.slice(2);
if (entry !== undefined) {
  const target = path.resolve(root, entry);
  // The entry point sees itself as the script Node ran, with its own arguments.
  process.argv = [process.argv[0], target, ...args];
  await import(pathToFileURL(target).href);
}
