import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format } from 'node:util';
import type { App } from '../app.js';
import type { EmbeddedCosmos } from '@appproxy/cosmos-local';
import type { LocalHost, LocalHostOptions } from './host.js';
import { errorCode, LocalSettingsError, readLocalSettings, reason } from './local-settings.js';

/**
 * `npm start`: the service on a developer's machine with nothing but Node. Settings come from the
 * environment, then local.settings.json (local-settings.ts, as `func start` reads them), then the embedded
 * defaults. The embedded Cosmos server keeps its data on disk (LOCAL_COSMOS_DIR) unless asked to keep it in memory, as
 * the Cosmos DB emulator and Azurite do. Every start-up failure ends with one message saying what to do.
 */
const USAGE = `Usage: npm start [-- --in-memory]

Serves the API locally (http://localhost:7071 by default) over an embedded Cosmos DB server whose data
is kept in .local/cosmos/ between runs.

Options:
  --in-memory   keep the embedded server's data in memory only: every run starts empty
                (the same as the setting LOCAL_COSMOS_IN_MEMORY=true)
  --help        show this help
`;

const EMBEDDED_PORT = 8081;
const DEFAULT_DATA_DIR = '.local/cosmos';
/** The skiptoken key kept for durable local runs, so nextLinks outlive a restart as the data does. */
const PAGING_KEY_FILE = '.local/paging-key';

/** A failure the user can fix; its message says how. */
class StartupError extends Error {}

function parseArgs(argv: readonly string[]): { inMemory: boolean; help: boolean } {
  const known = new Set(['--in-memory', '--help']);
  const unknown = argv.find((arg) => !known.has(arg));
  if (unknown !== undefined) throw new StartupError(`Unknown argument ${JSON.stringify(unknown)}.\n\n${USAGE}`);
  return { inMemory: argv.includes('--in-memory'), help: argv.includes('--help') };
}

function portSetting(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new StartupError(`${name} must be a port number from 1 to 65535, not ${JSON.stringify(text)}.`);
  return port;
}

function flagSetting(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (!text || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  throw new StartupError(`${name} must be true or false, not ${JSON.stringify(env[name])}.`);
}

/** The embedded server runs unless the settings name another Cosmos account (a malformed one is reported by compose). */
function embeddedPort(env: NodeJS.ProcessEnv): number | undefined {
  if (env.COSMOS_ENDPOINT) return undefined;
  if (!env.COSMOS_CONNECTION_STRING) return EMBEDDED_PORT;
  let url: URL;
  try {
    url = new URL(/AccountEndpoint=([^;]+)/i.exec(env.COSMOS_CONNECTION_STRING)?.[1] ?? '');
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname) ? Number(url.port || 80) : undefined;
}

const embeddedConnectionString = (port: number, key: string) => `AccountEndpoint=http://127.0.0.1:${port}/;AccountKey=${key};`;

/** Runs `listen`, turning the errors of a busy or forbidden address into what to do about them. */
async function listening<T>(listen: () => Promise<T>, what: string, address: string, likely: string, move: string): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    switch (errorCode(error)) {
      case 'EADDRINUSE':
        throw new StartupError(`${what} cannot listen on ${address}: the port is in use (${likely}?). Stop that process, or ${move}.`);
      case 'EACCES':
        throw new StartupError(`${what} may not listen on ${address} (permission denied; ports below 1024 need privileges): ${move}.`);
      case 'EADDRNOTAVAIL':
        throw new StartupError(
          `${what} cannot listen on ${address}: the address is not one of this machine's. Set HOST to 127.0.0.1 (or 0.0.0.0 for every interface).`,
        );
      default:
        throw error;
    }
  }
}

async function ensureWritableFolder(dir: string, purpose: string, fix: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new StartupError(`Cannot write ${dir} (${errorCode(error) ?? reason(error)}), where ${purpose}: ${fix}.`);
  }
}

/** The local paging key, made once: 32 random bytes (base64url), readable by this user only. */
async function localPagingKey(): Promise<string> {
  const fix = `make .local/ writable, or set PAGING_KEY (at least 32 characters)`;
  const cannotWrite = (error: unknown) =>
    new StartupError(`Cannot write ${PAGING_KEY_FILE} (${errorCode(error) ?? reason(error)}): ${fix}.`);
  await mkdir(path.dirname(PAGING_KEY_FILE), { recursive: true }).catch((error: unknown) => {
    throw cannotWrite(error);
  });
  await writeFile(PAGING_KEY_FILE, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 }).catch((error: unknown) => {
    if (errorCode(error) !== 'EEXIST') throw cannotWrite(error);
  });
  const key = await readFile(PAGING_KEY_FILE, 'utf8').catch((error: unknown) => {
    throw new StartupError(`Cannot read ${PAGING_KEY_FILE} (${errorCode(error) ?? reason(error)}): ${fix}.`);
  });
  if (key.trim().length < 32)
    throw new StartupError(`${PAGING_KEY_FILE} holds no usable key: delete it (a new one is made at start), or set PAGING_KEY.`);
  return key.trim();
}

/** Function and host logs on the console, with time, as `func start` shows them; debug and trace are left out. */
const printLog: NonNullable<LocalHostOptions['log']> = (level, ...args) => {
  const print = { information: console.log, warning: console.warn, error: console.error, critical: console.error }[level];
  print?.(`[${new Date().toISOString()}] ${format(...args)}`);
};

async function main(stops: (() => Promise<void> | void)[]): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const env: NodeJS.ProcessEnv = {
    AUTH_MODE: 'local',
    ...(await readLocalSettings().catch((error: unknown) => {
      throw error instanceof LocalSettingsError ? new StartupError(error.message) : error;
    })),
  };
  const port = portSetting(env, 'PORT') ?? 7071;
  const httpsPort = portSetting(env, 'HTTPS_PORT');
  const listenHost = env.HOST?.trim() || '127.0.0.1';
  const inMemory = args.inMemory || flagSetting(env, 'LOCAL_COSMOS_IN_MEMORY');

  const cosmosPort = embeddedPort(env);
  // Data that outlives the process gets nextLinks that do too; an in-memory store keeps the per-process key.
  if (env.AUTH_MODE === 'local' && !env.PAGING_KEY && !(cosmosPort !== undefined && inMemory)) env.PAGING_KEY = await localPagingKey();
  const dataDir = cosmosPort === undefined || inMemory ? undefined : env.LOCAL_COSMOS_DIR?.trim() || DEFAULT_DATA_DIR;
  if (dataDir !== undefined) {
    await ensureWritableFolder(
      dataDir,
      'the embedded Cosmos DB server keeps its data',
      'make it writable, set LOCAL_COSMOS_DIR to a writable folder, or run with npm start -- --in-memory',
    );
  }

  // The heavy modules (Cosmos SDK and server, Functions library) load only now, so a mistake in the
  // arguments or settings files is reported at once.
  const [
    { compose },
    { containerIndexingPolicy },
    { ensureContainer },
    { startEmbeddedCosmos, LOCAL_COSMOS_KEY },
    { startLocalHost },
    { ensureLocalCertificate },
  ] = await Promise.all([
    import('../app.js'),
    import('../directory/documents.js'),
    import('../store/client.js'),
    import('@appproxy/cosmos-local'),
    import('./host.js'),
    import('./tls.js'),
  ]);
  if (cosmosPort !== undefined) {
    const options = { port: cosmosPort, dataDir };
    const cosmos: EmbeddedCosmos = await listening(
      () =>
        startEmbeddedCosmos(options).catch((error: unknown) => {
          if (errorCode(error) === 'EADDRINUSE' || errorCode(error) === 'EACCES' || dataDir === undefined) throw error;
          throw new StartupError(
            `The embedded Cosmos DB server cannot open its data in ${dataDir}: ${reason(error)}. If another npm start uses that folder, stop it; ` +
              `otherwise move the folder aside (its data is then no longer served), set LOCAL_COSMOS_DIR to another folder, or run with npm start -- --in-memory.`,
          );
        }),
      'The embedded Cosmos DB server',
      `127.0.0.1:${cosmosPort}`,
      'another npm start, or the Cosmos DB emulator',
      'run the embedded server on another port by setting, in the environment or local.settings.json, ' +
        `COSMOS_CONNECTION_STRING=${embeddedConnectionString(cosmosPort === 65535 ? 8082 : cosmosPort + 1, LOCAL_COSMOS_KEY)}`,
    );
    stops.push(() => cosmos.close());
    env.COSMOS_CONNECTION_STRING = embeddedConnectionString(cosmos.port, LOCAL_COSMOS_KEY);
    const kept =
      dataDir === undefined ? 'in memory: its data is gone at exit' : `data kept in ${dataDir}; npm start -- --in-memory keeps none`;
    console.log(`Embedded Cosmos DB server: http://127.0.0.1:${cosmos.port}/ (${kept})`);
  }
  let app: App;
  try {
    app = compose(env);
  } catch (error) {
    if (errorCode(error) === 'ENOENT')
      throw new StartupError(`${reason(error)}: run npm start in the project's folder (where host.json is).`);
    if (!reason(error).startsWith('Invalid settings')) throw new StartupError(reason(error));
    throw new StartupError(
      `${reason(error)}\nSet them in the environment or in the "Values" of local.settings.json (README.md, "Settings", lists them).`,
    );
  }
  stops.push(() => app.cosmos.dispose());
  const { settings } = app;
  if (settings.identity.mode === 'local') {
    await ensureContainer(app.cosmos, settings.cosmos, containerIndexingPolicy()).catch((error: unknown) => {
      const what = `Cannot create the database ${settings.cosmos.database} and container ${settings.cosmos.container}: ${reason(error).replace(/\.+$/, '')}.`;
      throw new StartupError(
        cosmosPort !== undefined
          ? `${what} The embedded server refused the service's own definition: this is a fault to report, not a setting to change.`
          : `${what} Check COSMOS_CONNECTION_STRING or COSMOS_ENDPOINT, or unset both to use the embedded server.`,
      );
    });
  }

  if (hasCoreTools()) {
    // Without local.settings.json Core Tools cannot tell the app's language (it asks, or fails): say it.
    const runtime = env.FUNCTIONS_WORKER_RUNTIME?.trim();
    if (runtime && runtime.toLowerCase() !== 'node') {
      throw new StartupError(
        `FUNCTIONS_WORKER_RUNTIME is ${JSON.stringify(runtime)}, but this is a Node.js app: set it to node, or unset it.`,
      );
    }
    console.log(`Host: Azure Functions Core Tools (func start) on http://localhost:${port}`);
    const funcEnv = { ...env, FUNCTIONS_WORKER_RUNTIME: 'node' };
    const child: ChildProcess = spawn('func', ['start', '--port', String(port)], { env: funcEnv, stdio: 'inherit' });
    stops.push(() => void child.kill('SIGINT'));
    child.once('exit', (code) => void stopAll(stops, code ?? 0));
  } else {
    const host: LocalHost = await listening(
      () => startLocalHost(app.routes, { port, host: listenHost, log: printLog }),
      "The service's HTTP port",
      `${listenHost}:${port}`,
      'another npm start or func start',
      `set PORT to another port (e.g. PORT=${port === 65535 ? 7072 : port + 1} npm start)`,
    );
    stops.push(() => host.close());
    console.log(`Host: the project's local Functions host (Core Tools are not installed) on ${host.url}`);
  }
  console.log(`Base URL: http://localhost:${port}/beta (and /v1.0)`);
  if (httpsPort !== undefined) {
    // HTTPS_PORT: the same functions also over HTTPS (the v3 Graph client sends tokens only over https),
    // always through the project's local host, with a self-signed certificate made once in .local/tls/.
    const tlsDir = env.LOCAL_TLS_DIR;
    const tls = await ensureLocalCertificate(tlsDir).catch((error: unknown) => {
      throw new StartupError(
        `Cannot make the local HTTPS certificate (${reason(error)}): make ${tlsDir ?? '.local/tls'} writable, or set LOCAL_TLS_DIR to a writable folder.`,
      );
    });
    const secure = await listening(
      () => startLocalHost(app.routes, { port: httpsPort, host: listenHost, tls, log: printLog }),
      "The service's HTTPS port",
      `${listenHost}:${httpsPort}`,
      'another npm start',
      `set HTTPS_PORT to another port (e.g. HTTPS_PORT=${httpsPort === 65535 ? 7444 : httpsPort + 1}), or unset it to serve http only`,
    );
    stops.push(() => secure.close());
    console.log(`HTTPS:    https://localhost:${secure.port}/beta (and https://127.0.0.1:${secure.port}/beta)`);
    console.log(`          certificate ${tls.certPath}; trust it in Node clients with NODE_EXTRA_CA_CERTS=${tls.certPath}`);
  }
  if (settings.identity.mode === 'local') {
    console.log('Get a token:  npm run token -- --tenant <tenant-guid> --role "Application Administrator"   (--help: roles, --no-role)');
    console.log(
      `Try:          curl -H "Authorization: Bearer $(npm run -s token)" http://localhost:${port}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups`,
    );
  }
  console.log('Each request is logged below: method, path, status, duration, request-id.');
  console.log('Ctrl-C stops everything this command started.');
}

const hasCoreTools = () => spawnSync('func', ['--version'], { stdio: 'ignore' }).status === 0;

let stopping: Promise<never> | undefined;
/** Closes what started, newest first (the embedded server last, so it sees every write), then exits. */
function stopAll(stops: (() => Promise<void> | void)[], code: number): Promise<never> {
  stopping ??= (async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error(`While stopping: ${reason(error)}`);
      }
    }
    process.exit(code);
  })();
  return stopping;
}

const stops: (() => Promise<void> | void)[] = [];
process.once('SIGINT', () => void stopAll(stops, 0));
process.once('SIGTERM', () => void stopAll(stops, 0));
main(stops).catch((error: unknown) => {
  if (error instanceof StartupError) console.error(`npm start: ${error.message}`);
  else console.error('npm start failed unexpectedly (please report this with the output above):', error);
  void stopAll(stops, 1);
});
