/**
 * Several `npm start`s at once over one fresh Cosmos account (a shared emulator, a scale-out test): each
 * creates the database and container it needs, and one doing so while another does is no failure. A proxy in
 * front of the account holds the answers to the reads `createIfNotExists` makes until every instance has
 * made its own, so all of them find nothing and all of them create: the race, every time.
 */
import { randomUUID } from 'node:crypto';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '@appproxy/cosmos-local';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { localCertificate, type LocalCertificate } from '../support/https.js';
import { ensureBuilt, freePort, launch, projectFolder, removeProjectFolders, type Started } from '../support/start.js';
import { tokenFor } from '../support/tokens.js';

const INSTANCES = 3;
const KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

let cosmos: EmbeddedCosmos;
let proxy: FaultProxy;
let tls: LocalCertificate;
const runs: Started[] = [];

beforeAll(async () => {
  ensureBuilt();
  cosmos = await startEmbeddedCosmos();
  // Over HTTPS, so npm start takes it for an account of its own rather than its embedded server's port.
  tls = await localCertificate();
  proxy = await startFaultProxy(cosmos.endpoint, undefined, tls);
}, 180_000);
afterAll(async () => {
  for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  await proxy?.close();
  await cosmos?.close();
  removeProjectFolders();
});

/** Holds answers until `count` requests have arrived, or 5 s have passed (within the client's 10 s time-out). */
function barrier(count: number) {
  let seen = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const timer = setTimeout(open, 5_000);
  return {
    opened,
    arrive: () => {
      if (++seen === count) {
        clearTimeout(timer);
        open();
      }
      return seen;
    },
  };
}

it(`${INSTANCES} instances started at once over one fresh account all come up and serve, whoever created the database`, async () => {
  const database = `together-${randomUUID().slice(0, 8)}`;
  const container = 'directory';
  const reads = { [`/dbs/${database}`]: barrier(INSTANCES), [`/dbs/${database}/colls/${container}`]: barrier(INSTANCES) };
  const creates: string[] = [];
  proxy.decide = (req) => {
    if (req.method === 'POST' && /^\/dbs(\/[^/]+\/colls)?\/?$/.test(req.path)) creates.push(req.path);
    const gate = req.method === 'GET' ? reads[req.path.replace(/\/$/, '')] : undefined;
    // only the first read of each instance is held: the race is between those
    return gate && gate.arrive() <= INSTANCES ? { kind: 'holdAnswer', until: gate.opened } : undefined;
  };
  const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
  const started = ports.map((port) =>
    launch({
      cwd: projectFolder(),
      env: {
        PORT: String(port),
        COSMOS_CONNECTION_STRING: `AccountEndpoint=${proxy.endpoint};AccountKey=${KEY};`,
        COSMOS_DATABASE: database,
        COSMOS_CONTAINER: container,
        NODE_EXTRA_CA_CERTS: tls.certPath,
      },
    }),
  );
  runs.push(...started);
  await Promise.all(started.map((run) => run.ready));
  expect(
    started.map((run) => run.child.exitCode),
    started.map((run) => run.output()).join('\n'),
  ).toEqual(started.map(() => null));
  // the race happened: every instance tried to create both
  expect(creates.filter((path) => !path.includes('colls'))).toHaveLength(INSTANCES);
  expect(creates.filter((path) => path.includes('colls'))).toHaveLength(INSTANCES);

  // each serves, over the one container: a group made through one is listed by the others
  const tenant = randomUUID();
  const headers = { authorization: `Bearer ${await tokenFor(tenant)}`, 'content-type': 'application/json' };
  const groups = 'beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups';
  const made = await fetch(`http://127.0.0.1:${ports[0]}/${groups}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'together' }),
  });
  expect(made.status).toBe(201);
  for (const port of ports) {
    const list = await fetch(`http://127.0.0.1:${port}/${groups}?$filter=isDefault eq false`, { headers });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { value: { name: string }[] }).value.map((g) => g.name)).toEqual(['together']);
  }
  for (const run of started) expect(await run.stop()).toBe(0);
}, 120_000);
