/**
 * `npm start` as a user runs it: the compiled launcher under plain Node (no vitest transforms), in a folder
 * of its own shaped like the project's (host.json; `.local/` is made there), with only the settings given.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_KEYS_DIR } from './tokens.js';

const ROOT = process.cwd();

/** Compiles dist/ when it is older than the sources (once for all workers: the script takes a lock). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/run-built.js')], { stdio: 'inherit' });
}

const folders: string[] = [];

/** A fresh folder with the project files `npm start` reads from its working directory. */
export function projectFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'appproxy-start-'));
  copyFileSync(path.join(ROOT, 'host.json'), path.join(dir, 'host.json'));
  folders.push(dir);
  return dir;
}

/** Removes the folders made by projectFolder (call once the processes using them are gone). */
export function removeProjectFolders(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Holds a port the way another program would. */
export const occupy = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(port, '127.0.0.1', () => resolve(server));
  });

export const embeddedConnectionString = (port: number) =>
  `AccountEndpoint=http://127.0.0.1:${port}/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;`;

export interface Started {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  cwd: string;
  args?: string[];
  /** Settings for the process; `undefined` leaves one out (LOCAL_KEYS_DIR, set by default). */
  env?: Record<string, string | undefined>;
}

const withoutUnset = (env: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));

/** `npm run token` as a user runs it: the compiled CLI under plain Node in `cwd`; its stdout, or a throw. */
export function runTokenCli(cwd: string, args: string[] = [], env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'dist/src/local/token.js'), ...args], {
    cwd,
    env: { PATH: '', ...env },
    encoding: 'utf8',
  });
}

/** Spawns the launcher; `ready` resolves once it says it is serving, or with its exit when it fails first. */
export function launch({ cwd, args = [], env = {} }: StartOptions): Started & { ready: Promise<void> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/local/start.js'), ...args], {
    cwd,
    // No Core Tools on this PATH: the local host must serve.
    env: withoutUnset({ PATH: '', LOCAL_KEYS_DIR: TEST_KEYS_DIR, ...env }),
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${text}`)), 45_000);
    child.stdout!.on('data', () => text.includes('Ctrl-C stops') && (clearTimeout(timer), resolve()));
    void exited.then(() => (clearTimeout(timer), resolve()));
  });
  return {
    child,
    output: () => text,
    exited,
    ready,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Launches and waits until it serves (or fails: check `exited`). */
export async function start(options: StartOptions): Promise<Started> {
  const started = launch(options);
  await started.ready;
  return started;
}
