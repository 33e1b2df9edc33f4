import { CosmosClient, type Container, type CosmosClientOptions, type IndexingPolicy } from '@azure/cosmos';

export type { CosmosClient };

type TokenCredential = NonNullable<CosmosClientOptions['aadCredentials']>;

export type CosmosSettings =
  | { connectionString: string; database: string; container: string }
  | { endpoint: string; database: string; container: string };

const isLoopback = (endpoint: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);

function endpointOf(connectionString: string): string {
  const match = /AccountEndpoint=([^;]+)/i.exec(connectionString);
  if (!match) throw new Error('COSMOS_CONNECTION_STRING has no AccountEndpoint.');
  return match[1]!;
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
 * The one Cosmos client of the process. Endpoint discovery is turned off only for a loopback server,
 * whose account document advertises an https address it does not serve; in Azure the defaults stay.
 */
export function createCosmosClient(settings: CosmosSettings): CosmosClient {
  const endpoint = 'connectionString' in settings ? endpointOf(settings.connectionString) : settings.endpoint;
  const connectionPolicy = isLoopback(endpoint) ? { enableEndpointDiscovery: false } : undefined;
  return 'connectionString' in settings
    ? new CosmosClient({ connectionString: settings.connectionString, connectionPolicy })
    : new CosmosClient({ endpoint, aadCredentials: lazyDefaultCredential(), connectionPolicy });
}

export const containerOf = (client: CosmosClient, settings: CosmosSettings): Container =>
  client.database(settings.database).container(settings.container);

/** Local runs only: in Azure the database and container are provisioned, and data-plane RBAC cannot create them. */
export async function ensureContainer(client: CosmosClient, settings: CosmosSettings, indexingPolicy: IndexingPolicy): Promise<Container> {
  const { database } = await client.databases.createIfNotExists({ id: settings.database });
  const { container } = await database.containers.createIfNotExists({
    id: settings.container,
    partitionKey: { paths: ['/tenantId'] },
    indexingPolicy,
  });
  return container;
}
