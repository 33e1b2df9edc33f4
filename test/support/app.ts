import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { expect } from 'vitest';
import { compose, type App } from '../../src/app.js';
import { containerIndexingPolicy } from '../../src/directory/documents.js';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../../src/local/host.js';
import { connectTestCosmos, createTestContainer, type TestCosmos } from './cosmos.js';
import { startCountingProxy, type SeenRequest } from './counting-proxy.js';
import { fetchTrusting, localCertificate } from './https.js';
import { TEST_KEYS_DIR, TEST_TENANT, tokenFor } from './tokens.js';

export const PROFILE = '/beta/onPremisesPublishingProfiles/applicationProxy';

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text of a non-JSON body, or undefined when there is none. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Raw body text, sent as is (broken JSON, huge bodies). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** Caller's tenant (default TEST_TENANT) and scope; `token: null` sends no Authorization. */
  tenant?: string;
  scope?: string;
  token?: string | null;
}

export interface TestApp {
  url: string;
  port: number;
  /** With `https: true`: the certificate the host serves (PEM), to trust as a CA; see test/support/https.ts. */
  ca?: string;
  app: App;
  container: Container;
  cosmos: TestCosmos;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  /** Creates a group (a random name unless given) and returns its body; anything but 201 fails the test. */
  createGroup(tenant: string, fields?: Record<string, unknown>): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Creates a connector (conn1.contoso.com, 10.1.2.3 unless given) and returns its body. */
  createConnector(tenant: string, fields?: Record<string, unknown>): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Moves a connector to a group (`POST connectors/{id}/memberOf/$ref`, return=minimal); anything but 204 fails the test. */
  moveConnector(tenant: string, connectorId: string, groupId: string): Promise<void>;
  /** Assigns an application to a group (`PUT applications/{id}/connectorGroup/$ref`); anything but 204 fails the test. */
  assignApplication(tenant: string, applicationId: string, groupId: string): Promise<void>;
  /** Cosmos requests the service has sent so far (with `countCosmosRequests`). */
  cosmosRequests(): number;
  /** The service's Cosmos requests so far, as sent (with `countCosmosRequests`). */
  cosmosLog(): readonly SeenRequest[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Serve HTTPS with the local self-signed certificate (src/local/tls.ts); `call` trusts it. */
  https?: boolean;
  /** Send the service's Cosmos traffic through a counting proxy (embedded server only); see `cosmosRequests`. */
  countCosmosRequests?: boolean;
  /** More settings for the composition root (e.g. FORWARDED_HOSTS, REQUEST_DEADLINE_MS). */
  env?: Record<string, string>;
  /** Puts something between the service and the embedded Cosmos server (a fault proxy): given its endpoint, the one to use. */
  through?: (endpoint: string) => Promise<string>;
  /** Receives what the host logs (src/local/host.ts); by default only errors are printed. */
  log?: LocalHostOptions['log'];
}

/**
 * The service as a user meets it: the real composition root, served by the local Functions host on an
 * ephemeral port, over a fresh container of the embedded Cosmos server (or a real account, see cosmos.ts).
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const cosmos = await connectTestCosmos();
  const made = await createTestContainer(cosmos.client, { prefix: 'app', indexingPolicy: containerIndexingPolicy() });
  const through = options.through ? await options.through(cosmos.endpoint) : cosmos.endpoint;
  const proxy = options.countCosmosRequests && !cosmos.real ? await startCountingProxy(through) : undefined;
  const endpoint = proxy?.endpoint ?? through;
  const env: NodeJS.ProcessEnv = {
    ...(cosmos.real && !options.through ? process.env : { COSMOS_CONNECTION_STRING: `AccountEndpoint=${endpoint};AccountKey=local;` }),
    AUTH_MODE: 'local',
    LOCAL_KEYS_DIR: TEST_KEYS_DIR,
    COSMOS_DATABASE: made.database.id,
    COSMOS_CONTAINER: made.container.id,
    ...options.env,
  };
  const app = compose(env);
  const tls = options.https ? await localCertificate() : undefined;
  const host: LocalHost = await startLocalHost(app.routes, {
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const send = tls ? await fetchTrusting(tls.cert) : fetch;
  const tokens = new Map<string, string>();
  const token = async (tenant: string, scope: string) => {
    const key = `${tenant} ${scope}`;
    if (!tokens.has(key)) tokens.set(key, await tokenFor(tenant, scope));
    return tokens.get(key)!;
  };
  const create = async (path: string, tenant: string, body: Record<string, unknown>) => {
    const reply = await api.call('POST', `${PROFILE}/${path}`, { tenant, body });
    expect(reply.status, reply.text).toBe(201);
    return reply.body;
  };
  const groupRef = (groupId: string) => ({
    '@odata.id': `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${groupId}`,
  });
  const expect204 = (reply: Reply) => expect(reply.status, reply.text).toBe(204);
  const api: TestApp = {
    url: host.url,
    port: host.port,
    ca: tls?.cert,
    app,
    container: made.container,
    cosmos,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const auth =
        options.token === undefined
          ? await token(options.tenant ?? TEST_TENANT, options.scope ?? 'Directory.ReadWrite.All')
          : options.token;
      if (auth !== null) headers.authorization ??= `Bearer ${auth}`;
      let body: string | Buffer | undefined = options.raw;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await send(`${host.url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text || undefined;
      if (text && res.headers.get('content-type')?.startsWith('application/json')) parsed = JSON.parse(text);
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    createGroup: (tenant, fields = {}) => create('connectorGroups', tenant, { name: `g-${randomUUID().slice(0, 8)}`, ...fields }),
    createConnector: (tenant, fields = {}) =>
      create('connectors', tenant, { machineName: 'conn1.contoso.com', externalIp: '10.1.2.3', ...fields }),
    moveConnector: async (tenant, connectorId, groupId) =>
      expect204(
        await api.call('POST', `${PROFILE}/connectors/${connectorId}/memberOf/$ref`, {
          tenant,
          body: groupRef(groupId),
          headers: { prefer: 'return=minimal' },
        }),
      ),
    assignApplication: async (tenant, applicationId, groupId) =>
      expect204(await api.call('PUT', `/beta/applications/${applicationId}/connectorGroup/$ref`, { tenant, body: groupRef(groupId) })),
    cosmosRequests: () => {
      if (!proxy) throw new Error('start the test app with countCosmosRequests (embedded server only)');
      return proxy.count();
    },
    cosmosLog: () => {
      if (!proxy) throw new Error('start the test app with countCosmosRequests (embedded server only)');
      return proxy.seen();
    },
    async close() {
      await host.close();
      app.cosmos.dispose();
      await proxy?.close();
      await made.dispose();
      await cosmos.close();
    },
  };
  return api;
}

/** Reads a document back with the SDK, to check what a request really stored. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readDoc(container: Container, tenantId: string, id: string): Promise<Record<string, any> | undefined> {
  const { resource } = await container.item(id, tenantId).read();
  return resource ?? undefined;
}

/** Every document of a tenant, to prove a refused request wrote nothing. */
export async function tenantDocs(container: Container, tenantId: string): Promise<Record<string, unknown>[]> {
  const { resources } = await container.items
    .query({ query: 'SELECT * FROM c WHERE c.tenantId = @t', parameters: [{ name: '@t', value: tenantId }] }, { partitionKey: tenantId })
    .fetchAll();
  return resources.map(({ _etag, _ts, _rid, _self, _attachments, ...doc }) => (void [_etag, _ts, _rid, _self, _attachments], doc));
}

/**
 * A tenant's documents hold together: each connector has exactly one membership edge, every group's
 * memberCount equals the edges pointing at it, and nothing of another tenant is in its partition. Returns them.
 */
export async function expectConsistent(container: Container, tenant: string): Promise<Record<string, unknown>[]> {
  const docs = await tenantDocs(container, tenant);
  const edges = docs.filter((d) => d.type === 'connectorMembership');
  const connectors = docs.filter((d) => d.type === 'connector');
  expect(edges.map((e) => e.connectorId).sort()).toEqual(connectors.map((c) => c.id).sort());
  for (const group of docs.filter((d) => d.type === 'connectorGroup')) {
    expect({ group: group.id, members: group.memberCount }).toEqual({
      group: group.id,
      members: edges.filter((e) => e.groupId === group.id).length,
    });
  }
  for (const doc of docs) expect(doc.tenantId).toBe(tenant);
  return docs;
}

/**
 * Every stored change has exactly one audit record and every record its change, told by write ids (the
 * store stamps one per write on every document it creates or replaces, the record included): no two
 * records share a write id, and every document but the Default group (the service's own act, unrecorded)
 * carries the write id of a record that names it. Returns the records.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function expectRecorded(container: Container, tenant: string): Promise<Record<string, any>[]> {
  const docs = await tenantDocs(container, tenant);
  const records = docs.filter((d) => d.type === 'directoryAudit') as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  const byWrite = new Map(records.map((r) => [r.writeId as string, r]));
  expect(byWrite.size, 'records with one write id').toBe(records.length);
  for (const doc of docs) {
    if (doc.type === 'directoryAudit' || (doc.type === 'connectorGroup' && doc.isDefault === true)) continue;
    const record = byWrite.get(doc.writeId as string);
    expect(record, `the record of the write that left ${doc.type} ${doc.id}`).toBeDefined();
    const named = (record!.targetResources as { id: string }[]).map((r) => r.id);
    expect(named, `${record!.activityDisplayName} names ${doc.id}`).toContain((doc.connectorId ?? doc.applicationId ?? doc.id) as string);
  }
  return records;
}

/** A Graph error reply: its status, its code and, when given, a word of its message. */
export function expectError(r: Reply, status: number, code: string, mention?: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.body?.error?.code, r.text).toBe(code);
  if (mention !== undefined) expect(r.body.error.message).toContain(mention);
}
