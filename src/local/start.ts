import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { compose } from '../app.js';
import { containerIndexingPolicy } from '../directory/model.js';
import { ensureContainer } from '../store/client.js';
import { startEmbeddedCosmos, LOCAL_COSMOS_KEY, type EmbeddedCosmos } from './cosmos-server.js';
import { startLocalHost, type LocalHost } from './host.js';
import { ensureLocalCertificate } from './tls.js';

/**
 * `npm start`: the service on a developer's machine with nothing but Node. Settings come from the
 * environment, then local.settings.json (as `func start` reads them), then the embedded defaults.
 */
const EMBEDDED_PORT = 8081;

function localSettingsValues(): Record<string, string> {
  if (!existsSync('local.settings.json')) return {};
  const file = JSON.parse(readFileSync('local.settings.json', 'utf8')) as { Values?: Record<string, string> };
  return file.Values ?? {};
}

/** The embedded server runs unless the settings name another Cosmos account. */
function embeddedPort(env: NodeJS.ProcessEnv): number | undefined {
  if (env.COSMOS_ENDPOINT) return undefined;
  if (!env.COSMOS_CONNECTION_STRING) return EMBEDDED_PORT;
  const url = new URL(/AccountEndpoint=([^;]+)/i.exec(env.COSMOS_CONNECTION_STRING)?.[1] ?? 'https://invalid');
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname) ? Number(url.port) : undefined;
}

const hasCoreTools = () => spawnSync('func', ['--version'], { stdio: 'ignore' }).status === 0;

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { AUTH_MODE: 'local', ...localSettingsValues(), ...process.env };
  const port = Number(env.PORT ?? 7071);
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const cosmosPort = embeddedPort(env);
  if (cosmosPort !== undefined) {
    const cosmos: EmbeddedCosmos = await startEmbeddedCosmos({ port: cosmosPort });
    stops.push(() => cosmos.close());
    env.COSMOS_CONNECTION_STRING = `AccountEndpoint=http://127.0.0.1:${cosmos.port}/;AccountKey=${LOCAL_COSMOS_KEY};`;
    console.log(`Embedded Cosmos DB server: http://127.0.0.1:${cosmos.port}/ (in memory)`);
  }
  const app = compose(env);
  const { settings } = app;
  if (settings.identity.mode === 'local') await ensureContainer(app.cosmos, settings.cosmos, containerIndexingPolicy());

  if (hasCoreTools()) {
    console.log(`Host: Azure Functions Core Tools (func start) on http://localhost:${port}`);
    const child: ChildProcess = spawn('func', ['start', '--port', String(port)], { env, stdio: 'inherit' });
    stops.push(() => void child.kill('SIGINT'));
    child.once('exit', (code) => void stop().then(() => process.exit(code ?? 0)));
  } else {
    const host: LocalHost = await startLocalHost(app.routes, { port, host: env.HOST ?? '127.0.0.1' });
    stops.push(() => host.close());
    console.log(`Host: the project's local Functions host (Core Tools are not installed) on ${host.url}`);
  }
  console.log(`Base URL: http://localhost:${port}/beta (and /v1.0)`);
  if (env.HTTPS_PORT) {
    // HTTPS_PORT: the same functions also over HTTPS (the v3 Graph client sends tokens only over https),
    // always through the project's local host, with a self-signed certificate made once in .local/tls/.
    const tls = await ensureLocalCertificate(env.LOCAL_TLS_DIR);
    const secure = await startLocalHost(app.routes, { port: Number(env.HTTPS_PORT), host: env.HOST ?? '127.0.0.1', tls });
    stops.push(() => secure.close());
    console.log(`HTTPS:    https://localhost:${secure.port}/beta (and https://127.0.0.1:${secure.port}/beta)`);
    console.log(`          certificate ${tls.certPath}; trust it in Node clients with NODE_EXTRA_CA_CERTS=${tls.certPath}`);
  }
  if (settings.identity.mode === 'local') {
    console.log('Get a token:  npm run token -- --tenant <tenant-guid> --scope Directory.ReadWrite.All');
    console.log(`Try:          curl -H "Authorization: Bearer $(npm run -s token)" http://localhost:${port}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups`);
  }
  console.log('Ctrl-C stops everything this command started.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
