import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaseline } from '../../bench/baseline.js';
import { startFloor } from '../../bench/floor.js';
import { planFixture, seedFixture, type Fixture } from '../../bench/fixture.js';
import { PROFILE, startTestApp, type TestApp } from '../support/app.js';
import { startCountingProxy, type CountingProxy, type SeenRequest } from '../support/counting-proxy.js';

/**
 * The load benchmark's ratios mean something only while its baseline (bench/baseline.ts) sends Cosmos the
 * same requests as the service for each of its scenarios: same number, same kinds, same batch operations,
 * same conditions. The floor (bench/floor.ts) shares the baseline's code; here it proves its function route
 * really reaches that code, with the same statuses and the same requests. All run over one embedded server,
 * each behind its own recording proxy.
 */
let t: TestApp;
let proxy: CountingProxy;
let floorProxy: CountingProxy;
let client: CosmosClient;
let floorClient: CosmosClient;
let baseline: { url: string; close(): Promise<void> };
let floor: { url: string; close(): Promise<void> };
let fixture: Fixture;

const containerVia = (endpoint: string) => {
  const c = new CosmosClient({ endpoint, key: 'local', connectionPolicy: { enableEndpointDiscovery: false } });
  return { client: c, container: c.database(t.container.database.id).container(t.container.id) };
};

beforeAll(async () => {
  t = await startTestApp({ countCosmosRequests: true });
  proxy = await startCountingProxy(t.cosmos.endpoint);
  floorProxy = await startCountingProxy(t.cosmos.endpoint);
  const viaProxy = containerVia(proxy.endpoint);
  const viaFloorProxy = containerVia(floorProxy.endpoint);
  client = viaProxy.client;
  floorClient = viaFloorProxy.client;
  fixture = planFixture({ listSize: 5, movePool: 1, createTenants: 1 });
  await seedFixture(t.container, fixture);
  baseline = await startBaseline(viaProxy.container);
  floor = await startFloor(viaFloorProxy.container);
});
afterAll(async () => {
  await floor?.close();
  await baseline?.close();
  floorClient?.dispose();
  client?.dispose();
  await floorProxy?.close();
  await proxy?.close();
  await t?.close();
});

/** What a Cosmos request asks for, without what differs between two honest runs (ids made up, dates, signatures). */
function describeRequest(r: SeenRequest): string {
  const path = r.path.replace(/^\/dbs\/[^/]+\/colls\/[^/]+/, '{container}').split('?')[0]!;
  const flags = [
    r.headers['x-ms-cosmos-is-batch-request'] ? 'batch' : '',
    r.headers['x-ms-cosmos-is-query-plan-request'] ? 'query plan' : '',
    r.headers['x-ms-documentdb-isquery'] ? 'query' : '',
    r.headers['if-match'] ? 'If-Match' : '',
  ].filter(Boolean);
  let body = '';
  if (r.headers['x-ms-cosmos-is-batch-request']) {
    const ops = JSON.parse(r.body) as {
      operationType: string;
      ifMatch?: string;
      resourceBody?: { condition?: string; operations?: unknown[] };
    }[];
    body = ops
      .map((o) =>
        [
          o.operationType,
          o.ifMatch ? 'If-Match' : '',
          o.resourceBody?.condition ?? '',
          o.resourceBody?.operations ? JSON.stringify(o.resourceBody.operations) : '',
        ]
          .filter(Boolean)
          .join(' '),
      )
      .join(' | ');
  } else if (r.headers['x-ms-documentdb-isquery']) {
    body = (JSON.parse(r.body) as { query: string }).query;
  }
  return `${r.method} ${path.replace(/\/docs\/.+$/, '/docs/{id}')} [${flags.join(', ')}] ${body}`.trim();
}

async function sent(log: () => readonly SeenRequest[], action: () => Promise<number>): Promise<{ status: number; requests: string[] }> {
  const before = log().length;
  const status = await action();
  expect(status).toBeLessThan(300);
  return { status, requests: log().slice(before).map(describeRequest) };
}

describe('the load baseline makes the same Cosmos requests as the service, and the floor the same as the baseline', () => {
  const service = (method: string, path: string, tenant: string, body?: unknown) => () =>
    t.call(method, path, { tenant, body }).then((r) => r.status);
  const bare = (url: () => string) => (method: string, path: string, tenant: string, body?: unknown) => () =>
    fetch(`${url()}${path}`, {
      method,
      headers: { 'x-tenant': tenant, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => (await r.arrayBuffer(), r.status));

  const scenarios: [string, (f: Fixture, turn: number) => [string, string, string, unknown?]][] = [
    ['get', (f) => ['GET', `${PROFILE}/connectorGroups/${f.main.groupId}`, f.main.tenant]],
    ['list', (f) => ['GET', `${PROFILE}/connectors?$top=100`, f.main.tenant]],
    [
      'create',
      (f) => ['POST', `${PROFILE}/connectors`, f.creates.tenants[0]!, { machineName: 'a.contoso.com', externalIp: '198.51.100.7' }],
    ],
    [
      'move',
      (f, turn) => {
        const { connectorId, groups } = f.moves.pool[0]!;
        // The service moves it to the second group, the baseline back to the first, the floor to the second again.
        return [
          'POST',
          `${PROFILE}/connectors/${connectorId}/memberOf/$ref`,
          f.moves.tenant,
          { '@odata.id': `https://graph.microsoft.com${PROFILE}/connectorGroups/${groups[(turn + 1) % 2]}` },
        ];
      },
    ],
    [
      'batch10',
      (f) => [
        'POST',
        '/beta/$batch',
        f.main.tenant,
        {
          requests: Array.from({ length: 10 }, (_, i) => ({
            id: String(i + 1),
            method: 'GET',
            url: `/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${f.main.groupId}`,
          })),
        },
      ],
    ],
  ];

  it.each(scenarios)('%s', async (name, request) => {
    const { requests: ofService } = await sent(t.cosmosLog, service(...request(fixture, 0)));
    const ofBaseline = await sent(proxy.seen, bare(() => baseline.url)(...request(fixture, 1)));
    const ofFloor = await sent(floorProxy.seen, bare(() => floor.url)(...request(fixture, 2)));
    expect(ofService.length, `${name}: ${ofService.join('\n')}`).toBeGreaterThan(0);
    // A batch's items run concurrently, so their requests may arrive in any order.
    expect(ofBaseline.requests.sort()).toEqual(ofService.sort());
    expect(ofFloor.status).toBe(ofBaseline.status);
    expect(ofFloor.requests.sort()).toEqual(ofBaseline.requests);
  });
});
