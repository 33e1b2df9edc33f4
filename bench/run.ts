/**
 * Cosmos round trips per request, and the cost of a request through the service relative to the raw SDK
 * calls it stands for, both measured in this run. A counting HTTP proxy sits between the service and the
 * embedded Cosmos server, so every request the SDK sends is seen, query-plan requests included.
 *
 *   npm run bench
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { compose } from '../src/app.js';
import { containerIndexingPolicy } from '../src/directory/documents.js';
import { mintLocalToken } from '../src/identity/index.js';
import { startEmbeddedCosmos, LOCAL_COSMOS_KEY } from '@appproxy/cosmos-local';
import { startLocalHost } from '../src/local/host.js';
import { ensureContainer } from '../src/store/client.js';

const counts = { all: 0, queryPlan: 0 };

async function countingProxy(target: number) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    counts.all++;
    if (req.headers['x-ms-cosmos-is-query-plan-request']) counts.queryPlan++;
    const upstream = httpRequest({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 500, r.headers);
      r.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function main() {
  const cosmos = await startEmbeddedCosmos();
  const proxy = await countingProxy(cosmos.port);
  const keysDir = mkdtempSync(join(tmpdir(), 'bench-keys-'));
  const env = {
    AUTH_MODE: 'local',
    LOCAL_KEYS_DIR: keysDir,
    COSMOS_CONNECTION_STRING: `AccountEndpoint=http://127.0.0.1:${proxy.port}/;AccountKey=${LOCAL_COSMOS_KEY};`,
    COSMOS_DATABASE: 'bench',
    COSMOS_CONTAINER: 'directory',
  };
  const app = compose(env);
  const container = await ensureContainer(app.cosmos, app.settings.cosmos, containerIndexingPolicy());
  const host = await startLocalHost(app.routes);
  const tenant = randomUUID();
  const token = await mintLocalToken(keysDir, { tenant, scope: 'Directory.ReadWrite.All' });
  const P = '/beta/onPremisesPublishingProfiles/applicationProxy';

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const measure = async (name: string, run: () => Promise<unknown>) => {
    const before = { ...counts };
    await run();
    rows.push({ request: name, roundTrips: counts.all - before.all, queryPlans: counts.queryPlan - before.queryPlan });
  };
  const rows: { request: string; roundTrips: number; queryPlans: number }[] = [];

  // Warm the tenant's Default group, as any second request of a tenant finds it.
  await call('GET', `${P}/connectorGroups/$count`);
  let group = '';
  let other = '';
  let connector = '';
  await measure('000 POST …/connectorGroups', async () => (group = (await call('POST', `${P}/connectorGroups`, { name: 'A' })).id));
  await measure('001 POST /connectorGroups', async () => (other = (await call('POST', '/beta/connectorGroups', { name: 'B' })).id));
  await measure(
    '004 POST …/connectors',
    async () => (connector = (await call('POST', `${P}/connectors`, { machineName: 'h.contoso.com', externalIp: '192.0.2.1' })).id),
  );
  await measure('003 POST …/connectors/{id}/memberOf/$ref', () =>
    call('POST', `${P}/connectors/${connector}/memberOf/$ref`, { '@odata.id': `${P}/connectorGroups/${group}` }),
  );
  const app1 = randomUUID();
  await call('PUT', `/beta/applications/${app1}/connectorGroup/$ref`, { '@odata.id': `${P}/connectorGroups/${group}` });
  await measure('002 POST /applications/{id}/connectorGroup/members/{id}/memberOf/$ref', () =>
    call('POST', `/beta/applications/${app1}/connectorGroup/members/${connector}/memberOf/$ref`, { id: other }),
  );
  await measure('GET …/connectorGroups/{id}', () => call('GET', `${P}/connectorGroups/${group}`));
  await measure('GET …/connectorGroups (first page)', () => call('GET', `${P}/connectorGroups`));
  await measure('GET …/connectorGroups/{id}/members', () => call('GET', `${P}/connectorGroups/${other}/members`));
  await measure('GET …/connectorGroups?$expand=members', () => call('GET', `${P}/connectorGroups?$expand=members`));
  await measure('GET …/connectors?$expand=memberOf', () => call('GET', `${P}/connectors?$expand=memberOf`));
  await measure('GET …/connectorGroups?$skip=2', () => call('GET', `${P}/connectorGroups?$skip=2`));
  await measure('GET …/connectorGroups/{id}/members/$ref', () => call('GET', `${P}/connectorGroups/${other}/members/$ref`));
  await measure('DELETE …/connectorGroups/{id}/members/{id}/$ref', () =>
    call('DELETE', `${P}/connectorGroups/${other}/members/${connector}/$ref`),
  );
  console.log('Cosmos round trips per request (Default group already made):');
  console.table(rows);

  // Service vs raw SDK: N sequential group creates through HTTP, and the same documents written directly.
  const raw = new CosmosClient({ endpoint: cosmos.endpoint, key: LOCAL_COSMOS_KEY, connectionPolicy: { enableEndpointDiscovery: false } });
  const rawContainer = raw.database('bench').container(container.id);
  const N = 300;
  const time = async (run: (i: number) => Promise<unknown>) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await run(i);
    return Number(process.hrtime.bigint() - start) / 1e6 / N;
  };
  const sdk = await time((i) =>
    rawContainer.items.create({ id: randomUUID(), tenantId: tenant, type: 'connectorGroup', name: `raw ${i}` }),
  );
  const service = await time((i) => call('POST', `${P}/connectorGroups`, { name: `svc ${i}` }));
  const sdkRead = await time(() => rawContainer.item(group, tenant).read());
  const serviceRead = await time(() => call('GET', `${P}/connectorGroups/${group}`));
  console.log(`create a group: service ${(service / sdk).toFixed(2)}x the raw SDK create (${N} sequential each)`);
  console.log(`read a group:   service ${(serviceRead / sdkRead).toFixed(2)}x the raw SDK point read (${N} sequential each)`);

  await host.close();
  app.cosmos.dispose();
  raw.dispose();
  await proxy.close();
  await cosmos.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
