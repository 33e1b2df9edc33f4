/**
 * The embedded Cosmos server of one load-benchmark target, in a process of its own (one per target, each
 * seeded with the same fixture, nothing shared), so that the target's measured CPU is its own: request
 * parsing, the SQL engine and index upkeep are Cosmos DB's work in Azure, not the Function's. Creates the
 * container as the service does, writes the fixture, and answers with where to reach it. Started by
 * `load.ts` with `fork`; talks to it over IPC.
 */
import { CosmosClient } from '@azure/cosmos';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '@appproxy/cosmos-local';
import { ensureContainer } from '../src/store/client.js';
import { containerIndexingPolicy } from '../src/directory/documents.js';
import { seedFixture, type Fixture } from './fixture.js';

const DATABASE = 'bench';
const CONTAINER = 'directory';

/** Where a target finds its Cosmos server and the seeded container. */
export interface CosmosAddress {
  connectionString: string;
  endpoint: string;
  key: string;
  database: string;
  container: string;
}
export type ToCosmos = { cmd: 'start'; fixture: Fixture } | { cmd: 'stop' };
export type FromCosmos = { ready: CosmosAddress };

async function start(fixture: Fixture): Promise<EmbeddedCosmos> {
  const cosmos = await startEmbeddedCosmos();
  const settings = { connectionString: cosmos.connectionString, database: DATABASE, container: CONTAINER };
  const client = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
  await seedFixture(await ensureContainer(client, settings, containerIndexingPolicy()), fixture);
  client.dispose();
  return cosmos;
}

let running: EmbeddedCosmos | undefined;
// A benchmark that failed leaves no server behind.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToCosmos) => {
  if (message.cmd === 'start') {
    start(message.fixture).then(
      (cosmos) => {
        running = cosmos;
        const { connectionString, endpoint, key } = cosmos;
        process.send?.({ ready: { connectionString, endpoint, key, database: DATABASE, container: CONTAINER } } satisfies FromCosmos);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  } else {
    void running?.close().finally(() => process.exit(0));
  }
});
