import { CosmosClient, type ConnectionPolicy, type Container, type CosmosClientOptions, type IndexingPolicy } from '@azure/cosmos';
import { observingHttpClient } from './observe.js';

export type { CosmosClient };

type TokenCredential = NonNullable<CosmosClientOptions['aadCredentials']>;

export type CosmosSettings =
  { connectionString: string; database: string; container: string } | { endpoint: string; database: string; container: string };

const isLoopback = (endpoint: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);

function endpointOf(connectionString: string): string {
  const endpoint = /AccountEndpoint=([^;]+)/i.exec(connectionString)?.[1];
  if (!endpoint) throw new Error('COSMOS_CONNECTION_STRING has no AccountEndpoint.');
  return endpoint;
}

/**
 * DefaultAzureCredential, with `@azure/identity` imported on the first token request rather than at start:
 * the import costs about as much as `@azure/cosmos`'s, and runs with a connection string never need it.
 */
function lazyDefaultCredential(): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    getToken: async (scopes, options) => {
      credential ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
      return (await credential).getToken(scopes, options);
    },
  };
}

/**
 * How long the SDK may retry on its own. A request's overall bound is its deadline (REQUEST_DEADLINE_MS,
 * 20 s by default, lib/deadline.ts), which aborts whatever is left; these keep any one part well inside it:
 * - one HTTP attempt: 10 s (the SDK's default is 60 s, longer than the whole deadline);
 * - throttling (429): at most 3 retries within 5 s of waiting, then the caller gets 429 with Retry-After
 *   and decides, as Graph's clients do (the SDK's default, 9 retries within 30 s, would hold a request
 *   longer than clients wait).
 * Reads retried after a connection reset (the SDK's fixed 10 × 1 s) are cut off by the deadline.
 */
export const REQUEST_TIMEOUT_MS = 10_000;
export const THROTTLE_RETRIES = { maxRetryAttemptCount: 3, maxWaitTimeInSeconds: 5 } as const;

/**
 * The one Cosmos client of the process. Endpoint discovery is turned off only for a loopback server,
 * whose account document advertises an https address it does not serve; in Azure the defaults stay. Its
 * HTTP client records each answer for the store call that asked (observe.ts).
 */
export function createCosmosClient(settings: CosmosSettings): CosmosClient {
  const endpoint = 'connectionString' in settings ? endpointOf(settings.connectionString) : settings.endpoint;
  const connectionPolicy: Partial<ConnectionPolicy> = {
    requestTimeout: REQUEST_TIMEOUT_MS,
    retryOptions: { ...THROTTLE_RETRIES },
    ...(isLoopback(endpoint) ? { enableEndpointDiscovery: false } : {}),
  };
  const common = { connectionPolicy, httpClient: observingHttpClient() };
  return 'connectionString' in settings
    ? new CosmosClient({ connectionString: settings.connectionString, ...common })
    : new CosmosClient({ endpoint, aadCredentials: lazyDefaultCredential(), ...common });
}

export const containerOf = (client: CosmosClient, settings: CosmosSettings): Container =>
  client.database(settings.database).container(settings.container);

/**
 * Local runs only: in Azure the database and container are provisioned, and data-plane RBAC cannot create them.
 * `createIfNotExists` reads, then creates: another instance creating the same one in between makes the create
 * a 409, which means it exists, so the read is made again.
 */
export async function ensureContainer(client: CosmosClient, settings: CosmosSettings, indexingPolicy: IndexingPolicy): Promise<Container> {
  const { database } = await existing(() => client.databases.createIfNotExists({ id: settings.database }));
  const { container, resource } = await existing(() =>
    database.containers.createIfNotExists({
      id: settings.container,
      partitionKey: { paths: ['/tenantId'] },
      indexingPolicy,
      // Time to live on, without a default: only documents with a `ttl` of their own (audit records) expire.
      defaultTtl: -1,
    }),
  );
  // A container made before records expired (local data of an earlier version) gets it turned on.
  if (resource && resource.defaultTtl === undefined) await container.replace({ ...resource, defaultTtl: -1 });
  return container;
}

async function existing<T>(createIfNotExists: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createIfNotExists();
    } catch (error) {
      // A second 409 would mean it was deleted again in between: give up then rather than loop.
      if ((error as { code?: unknown }).code !== 409 || attempt === 3) throw error;
    }
  }
}
