/**
 * One server under load, in its own process so its CPU time can be measured apart from the load
 * generator's and from its Cosmos server's: that runs in a process of its own (`load-cosmos.ts`), already
 * seeded with the fixture, and this process only connects to it. The server is the service (the local host
 * over `compose()`), the baseline (`baseline.ts`), or the floor (`floor.ts`: the baseline's logic as one
 * function through the local host). Started by `load.ts` with `fork`; talks to it over IPC.
 *
 *   argv[2]: 'service' | 'baseline' | 'floor'    env BENCH_KEYS_DIR: the local signing keys (service only)
 *   env BENCH_SERVICE_DIST: the dist folder whose service to run (default this build's; `load.ts` sets it
 *   to BENCH_REFERENCE's for the reference: that build's `compose()` and local host, this file's harness)
 *
 * On request it profiles itself with V8's sampling profiler (what `node --cpu-prof` runs), over one
 * benchmark row at a time, and writes the profile where it is told.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CosmosClient } from '@azure/cosmos';
import type * as AppModule from '../src/app.js';
import type * as HostModule from '../src/local/host.js';
import { startBaseline } from './baseline.js';
import { startFloor } from './floor.js';
import type { CosmosAddress } from './load-cosmos.js';

export type TargetName = 'service' | 'baseline' | 'floor';

export type ToTarget =
  | { cmd: 'start'; cosmos: CosmosAddress }
  | { cmd: 'cpu' }
  | { cmd: 'profile-start' }
  | { cmd: 'profile-stop'; file: string }
  | { cmd: 'stop' };
export type FromTarget = { ready: string } | { cpu: NodeJS.CpuUsage } | { profiling: true } | { profiled: string };

async function start(target: TargetName, cosmos: CosmosAddress) {
  // The floor shares the baseline's client and calls; only how requests reach them differs.
  if (target === 'baseline' || target === 'floor') {
    const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
    const container = client.database(cosmos.database).container(cosmos.container);
    const server = await (target === 'floor' ? startFloor : startBaseline)(container);
    return { url: server.url, stop: async () => (await server.close(), client.dispose()) };
  }
  const dist = process.env.BENCH_SERVICE_DIST?.trim() || join(dirname(fileURLToPath(import.meta.url)), '..');
  const module = (path: string) => import(pathToFileURL(join(dist, path)).href);
  const { compose } = (await module('src/app.js')) as typeof AppModule;
  const { startLocalHost } = (await module('src/local/host.js')) as typeof HostModule;
  const app = compose({
    AUTH_MODE: 'local',
    LOCAL_KEYS_DIR: process.env.BENCH_KEYS_DIR,
    COSMOS_CONNECTION_STRING: cosmos.connectionString,
    COSMOS_DATABASE: cosmos.database,
    COSMOS_CONTAINER: cosmos.container,
  });
  const host = await startLocalHost(app.routes);
  return { url: host.url, stop: async () => (await host.close(), app.cosmos.dispose()) };
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
    start(target, message.cosmos).then(
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
