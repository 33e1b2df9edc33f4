/**
 * One server under load, in its own process so its CPU time can be measured apart from the load
 * generator's: its own embedded Cosmos server, in this process as `npm start` runs it, seeded with the
 * fixture, then the service (the local host over `compose()`), the baseline (`baseline.ts`), or the floor
 * (`floor.ts`: the baseline's logic as one function through the local host). Started by `load.ts` with
 * `fork`; talks to it over IPC.
 *
 *   argv[2]: 'service' | 'baseline' | 'floor'    env BENCH_KEYS_DIR: the local signing keys (service only)
 *
 * On request it profiles itself with V8's sampling profiler (what `node --cpu-prof` runs), over one
 * benchmark row at a time, and writes the profile where it is told.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { CosmosClient } from '@azure/cosmos';
import { compose } from '../src/app.js';
import { startEmbeddedCosmos } from '@appproxy/cosmos-local';
import { startLocalHost } from '../src/local/host.js';
import { ensureContainer } from '../src/store/client.js';
import { containerIndexingPolicy } from '../src/directory/documents.js';
import { startBaseline } from './baseline.js';
import { startFloor } from './floor.js';
import { seedFixture, type Fixture } from './fixture.js';

export type TargetName = 'service' | 'baseline' | 'floor';

export type ToTarget =
  { cmd: 'start'; fixture: Fixture } | { cmd: 'cpu' } | { cmd: 'profile-start' } | { cmd: 'profile-stop'; file: string } | { cmd: 'stop' };
export type FromTarget = { ready: string } | { cpu: NodeJS.CpuUsage } | { profiling: true } | { profiled: string };

const DATABASE = 'bench';
const CONTAINER = 'directory';

async function start(target: TargetName, fixture: Fixture) {
  const cosmos = await startEmbeddedCosmos();
  const settings = { connectionString: cosmos.connectionString, database: DATABASE, container: CONTAINER };
  const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
  const container = await ensureContainer(client, settings, containerIndexingPolicy());
  await seedFixture(container, fixture);
  // The floor shares the baseline's client and calls; only how requests reach them differs.
  if (target === 'baseline' || target === 'floor') {
    const server = await (target === 'floor' ? startFloor : startBaseline)(container);
    return { url: server.url, stop: async () => (await server.close(), client.dispose(), await cosmos.close()) };
  }
  client.dispose();
  const app = compose({
    AUTH_MODE: 'local',
    LOCAL_KEYS_DIR: process.env.BENCH_KEYS_DIR,
    COSMOS_CONNECTION_STRING: cosmos.connectionString,
    COSMOS_DATABASE: DATABASE,
    COSMOS_CONTAINER: CONTAINER,
  });
  const host = await startLocalHost(app.routes);
  return { url: host.url, stop: async () => (await host.close(), app.cosmos.dispose(), await cosmos.close()) };
}

const target = process.argv[2] as TargetName;
const reply = (message: FromTarget) => process.send?.(message);
let running: Awaited<ReturnType<typeof start>> | undefined;
let profiler: Session | undefined;

async function startProfile(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

async function stopProfile(file: string): Promise<void> {
  const { profile } = await profiler!.post('Profiler.stop');
  profiler!.disconnect();
  profiler = undefined;
  writeFileSync(file, JSON.stringify(profile));
}

process.on('message', (message: ToTarget) => {
  if (message.cmd === 'start') {
    start(target, message.fixture).then(
      (started) => {
        running = started;
        reply({ ready: started.url });
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  } else if (message.cmd === 'cpu') {
    reply({ cpu: process.cpuUsage() });
  } else if (message.cmd === 'profile-start') {
    void startProfile().then(() => reply({ profiling: true }));
  } else if (message.cmd === 'profile-stop') {
    const { file } = message;
    void stopProfile(file).then(() => reply({ profiled: file }));
  } else {
    void running?.stop().finally(() => process.exit(0));
  }
});
