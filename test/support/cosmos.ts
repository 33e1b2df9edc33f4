/**
 * Cosmos DB for tests: a real account when the environment names one, the embedded server otherwise.
 *
 * - `COSMOS_CONNECTION_STRING` (`AccountEndpoint=...;AccountKey=...;`), or
 * - `COSMOS_ENDPOINT` with `COSMOS_KEY`, or `COSMOS_ENDPOINT` alone (DefaultAzureCredential);
 * - `COSMOS_TEST_DATABASE` (optional, real accounts): reuse this database and create only a
 *   uniquely named container per suite, instead of a database per suite.
 */
import { randomUUID } from 'node:crypto';
import {
  CosmosClient,
  type Container,
  type CosmosClientOptions,
  type Database,
  type IndexingPolicy,
  type UniqueKeyPolicy,
} from '@azure/cosmos';
import { startEmbeddedCosmos } from '@appproxy/cosmos-local';

export interface TestCosmos {
  client: CosmosClient;
  endpoint: string;
  /** true when connected to an account named by the environment, false for the embedded server. */
  real: boolean;
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLocalEndpoint(endpoint: string): boolean {
  return LOCAL_HOSTS.has(new URL(endpoint).hostname);
}

function parseConnectionString(connectionString: string): { endpoint: string; key: string } {
  const parts = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const endpoint = parts.get('accountendpoint');
  const key = parts.get('accountkey');
  if (!endpoint || !key) throw new Error('COSMOS_CONNECTION_STRING needs AccountEndpoint and AccountKey');
  return { endpoint, key };
}

function clientOptions(endpoint: string): Pick<CosmosClientOptions, 'connectionPolicy'> {
  // Local servers advertise an https:// write location that does not exist; Azure keeps the defaults.
  return isLocalEndpoint(endpoint) ? { connectionPolicy: { enableEndpointDiscovery: false } } : {};
}

export async function connectTestCosmos(): Promise<TestCosmos> {
  const connectionString = process.env.COSMOS_CONNECTION_STRING;
  const envEndpoint = process.env.COSMOS_ENDPOINT;

  if (connectionString || envEndpoint) {
    let client: CosmosClient;
    let endpoint: string;
    if (connectionString) {
      const parsed = parseConnectionString(connectionString);
      endpoint = parsed.endpoint;
      client = new CosmosClient({ endpoint, key: parsed.key, ...clientOptions(endpoint) });
    } else {
      endpoint = envEndpoint as string;
      const key = process.env.COSMOS_KEY;
      if (key) {
        client = new CosmosClient({ endpoint, key, ...clientOptions(endpoint) });
      } else {
        const { DefaultAzureCredential } = await import('@azure/identity');
        client = new CosmosClient({ endpoint, aadCredentials: new DefaultAzureCredential(), ...clientOptions(endpoint) });
      }
    }
    return {
      client,
      endpoint,
      real: true,
      close: async () => client.dispose(),
    };
  }

  const server = await startEmbeddedCosmos();
  const client = new CosmosClient({ endpoint: server.endpoint, key: server.key, ...clientOptions(server.endpoint) });
  return {
    client,
    endpoint: server.endpoint,
    real: false,
    close: async () => {
      client.dispose();
      await server.close();
    },
  };
}

export interface TestContainerOptions {
  /** Prefix of the generated names (default "test"). */
  prefix?: string;
  /** Default "/tenantId". */
  partitionKeyPath?: string;
  indexingPolicy?: IndexingPolicy;
  uniqueKeyPolicy?: UniqueKeyPolicy;
}

export interface TestContainer {
  database: Database;
  container: Container;
  /** Deletes what was created (the database, or only the container when COSMOS_TEST_DATABASE is set). */
  dispose(): Promise<void>;
}

/** A uniquely named database and container (partitioned on /tenantId by default); dispose() deletes them. */
export async function createTestContainer(client: CosmosClient, options: TestContainerOptions = {}): Promise<TestContainer> {
  const prefix = options.prefix ?? 'test';
  const suffix = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  const sharedDatabase = process.env.COSMOS_TEST_DATABASE;
  const { database } = sharedDatabase
    ? await client.databases.createIfNotExists({ id: sharedDatabase })
    : await client.databases.create({ id: `${prefix}-${suffix}` });
  const { container } = await database.containers.create({
    id: `${prefix}-${suffix}`,
    partitionKey: { paths: [options.partitionKeyPath ?? '/tenantId'] },
    // As the service's container is provisioned (store/client.ts, infra/): time to live on, no default.
    defaultTtl: -1,
    ...(options.indexingPolicy ? { indexingPolicy: options.indexingPolicy } : {}),
    ...(options.uniqueKeyPolicy ? { uniqueKeyPolicy: options.uniqueKeyPolicy } : {}),
  });
  return {
    database,
    container,
    dispose: async () => {
      if (sharedDatabase) await container.delete();
      else await database.delete();
    },
  };
}
