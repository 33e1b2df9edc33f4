/**
 * The embedded Cosmos DB server for local runs and tests: `@vercel/cosmosdb-server` (patched, see
 * `patches/`) in this process over plain HTTP. With a `dataDir` it keeps its databases, containers and
 * documents there (cosmos-persistence.ts: a journal synced before each response, plus snapshots) and
 * restores them at start; without one it keeps everything in memory. It checks no auth, so it listens
 * on 127.0.0.1 by default. Clients must set `connectionPolicy.enableEndpointDiscovery = false` for it
 * (the account document it serves advertises an https:// endpoint).
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { documentMap, query } from './cosmos-engine.js';
import { DurableAccount } from './cosmos-persistence.js';

/** The well-known Cosmos DB emulator key. The server checks no auth, but the SDK signs with a base64 key. */
export const LOCAL_COSMOS_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface EmbeddedCosmos {
  /** `http://HOST:PORT/` */
  endpoint: string;
  key: string;
  /** `AccountEndpoint=http://HOST:PORT/;AccountKey=KEY;` */
  connectionString: string;
  port: number;
  /** Where the data is kept, and what the start found there; undefined in memory. */
  storage?: {
    dataDir: string;
    /** Bytes of a torn or damaged journal tail dropped at start (writes never acknowledged). */
    droppedBytes: number;
  };
  /** Stops listening, destroys open (keep-alive) connections and closes the journal. */
  close(): Promise<void>;
}

export interface EmbeddedCosmosOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A directory to keep the data in (created if missing); undefined keeps everything in memory. */
  dataDir?: string;
  /**
   * `indexed` (default): documents kept per partition, queries served from per-partition indexes
   * (cosmos-engine.ts). `scan`: the engine as published, every query scanning the container; for
   * measuring the difference (bench/embedded-list.ts).
   */
  engine?: 'indexed' | 'scan';
}

/**
 * The server turns an unexpected exception into a 500 carrying its message (so the caller still sees
 * the failure) and by default also prints the whole stack trace. Print one line instead, or the stack
 * when COSMOS_LOCAL_DEBUG is set.
 */
function reportServerError(err: Error, req: IncomingMessage): void {
  if (process.env.COSMOS_LOCAL_DEBUG) {
    console.error(err);
    return;
  }
  console.error(`cosmosdb-server: 500 ${req.method ?? ''} ${req.url ?? ''}: ${err.message}`);
}

export async function startEmbeddedCosmos(options: EmbeddedCosmosOptions = {}): Promise<EmbeddedCosmos> {
  const host = options.host ?? '127.0.0.1';
  const persistence = options.dataDir === undefined ? undefined : await DurableAccount.open(options.dataDir);
  const server = createHttpServer({
    keepAlive: true,
    onError: reportServerError,
    ...(persistence ? { persistence } : {}),
    ...(options.engine === 'scan' ? {} : { engine: { documentMap, query } }),
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      void persistence?.close();
      reject(err);
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const endpoint = `http://${urlHost}:${port}/`;
  let closing: Promise<void> | undefined;

  return {
    endpoint,
    key: LOCAL_COSMOS_KEY,
    connectionString: `AccountEndpoint=${endpoint};AccountKey=${LOCAL_COSMOS_KEY};`,
    port,
    ...(persistence && options.dataDir !== undefined
      ? { storage: { dataDir: options.dataDir, droppedBytes: persistence.droppedBytes } }
      : {}),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // close() alone waits for keep-alive sockets to time out.
        server.closeAllConnections();
      }).finally(() => persistence?.close());
      return closing;
    },
  };
}
