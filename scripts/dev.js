/**
 * `npm run dev [-- <npm start options>]`: `npm start` that rebuilds and restarts on every change.
 *
 * The compiler runs in watch mode (`tsc --watch`), once for the embedded Cosmos server's package (its own
 * dist/, which the service loads) and once for the project; after each compilation without errors the service is
 * stopped with Ctrl-C (so it closes its ports and the embedded store) and started again from the new
 * build. The data survives the restart: it is on disk (.local/cosmos) unless --in-memory is given. A
 * compilation with errors emits nothing (--noEmitOnError) and restarts nothing: the last good build keeps
 * serving. Plain JavaScript: it must run before anything is compiled.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
/** What tsc --watch prints after each compilation (its wording has been the same since TypeScript 2.x). */
const COMPILED = /Found (\d+) errors?\. Watching for file changes/;
const PACKAGE_CONFIG = 'packages/cosmos-local/tsconfig.json';

const say = (text) => console.log(`dev: ${text}`);

let service;
let stopping = false;
let exiting = false;

function startService() {
  // Its own process group: a Ctrl-C in the terminal reaches only this script, which stops the service once
  // (a second SIGINT while it closes its store would end it abruptly).
  const child = spawn(process.execPath, [path.join(root, 'dist/src/local/start.js'), ...args], {
    cwd: root,
    stdio: 'inherit',
    detached: true,
  });
  child.once('exit', (code, signal) => {
    if (service === child) service = undefined;
    if (!stopping && !exiting) say(`the service stopped (${signal ?? `exit code ${code}`}); it starts again after the next change.`);
  });
  service = child;
}

/** Ctrl-C to the service and wait until it has exited (ports free, store closed). */
function stopService() {
  const child = service;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

let queue = Promise.resolve();
function restart() {
  queue = queue.then(async () => {
    if (exiting) return;
    if (service !== undefined) say('rebuilt: restarting the service.');
    stopping = true;
    await stopService();
    stopping = false;
    if (!exiting) startService();
  });
}

/**
 * A compiler in watch mode; the service restarts after each of its compilations without errors (but the
 * first, with `skipFirst`). A change in the package restarts twice: after the project's compilation (which
 * type-checks against the package's source) and after the package's own, whose output the service loads.
 */
function watch(config, label, skipFirst = false) {
  let skip = skipFirst;
  const compiler = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      path.join(root, config),
      '--watch',
      '--preserveWatchOutput',
      '--noEmitOnError',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let pending = '';
  compiler.stdout.setEncoding('utf8');
  compiler.stdout.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      if (line.trim() !== '') process.stdout.write(`${label}: ${line}\n`);
      const found = COMPILED.exec(line);
      if (found === null) continue;
      if (found[1] === '0') {
        if (!skip) restart();
        skip = false;
      } else
        say(
          service
            ? 'not restarted: fix the errors above; the last good build keeps serving.'
            : 'fix the errors above; the service starts once the build succeeds.',
        );
    }
  });
  return compiler;
}

// The package's first build finishes before the project's starts, so the first start finds both.
const initial = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, PACKAGE_CONFIG)], {
  cwd: root,
  stdio: 'inherit',
});
if (initial.status !== 0) say('the embedded Cosmos server package does not compile: fix the errors above.');
const packageTsc = watch(PACKAGE_CONFIG, 'tsc (cosmos-local)', true);
const tsc = watch('tsconfig.build.json', 'tsc');
packageTsc.once('exit', () => {
  if (!exiting) tsc.kill();
});
tsc.once('exit', (code, signal) => {
  if (exiting) return;
  // The terminal's Ctrl-C reaches the compiler too; that is a normal stop.
  if (signal !== 'SIGINT') say(`the compiler stopped (${signal ?? `exit code ${code}`}).`);
  void shutdown(signal === 'SIGINT' ? 0 : 1);
});

async function shutdown(code) {
  if (exiting) return;
  exiting = true;
  tsc.kill();
  packageTsc.kill();
  await queue;
  await stopService();
  process.exit(code);
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
