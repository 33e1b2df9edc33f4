/**
 * The embedded Cosmos DB server: the NoSQL REST protocol `@azure/cosmos` speaks, in this process over plain
 * HTTP (README.md). With a `dataDir` it keeps its databases, containers and documents there (a journal
 * synced before each response, plus snapshots) and restores them at start; without one it keeps everything
 * in memory. It checks no auth, so it listens on 127.0.0.1 by default.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Account } from './account.js';
import type { EngineMode } from './documents.js';
import type { Journal } from './journal.js';
import { Persistence } from './persistence.js';
import { requestHandler } from './server.js';

/** The well-known Cosmos DB emulator key. The server checks no auth, but the SDK signs with a base64 key. */
export const LOCAL_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

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
    /** Journal counters (records, syncs, snapshots). */
    stats: Journal['stats'];
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
  /** With `dataDir`: the journal size past which a snapshot is written (default 8 MiB). */
  compactBytes?: number;
  /**
   * `indexed` (default): queries confined to a partition read its sorted indexes. `scan`: every query
   * evaluates and sorts every document in scope; the reference the indexed path is tested against.
   */
  engine?: EngineMode;
}

/** One line per unexpected error (the request still gets a 500), or the stack with COSMOS_LOCAL_DEBUG set. */
function reportServerError(err: Error, req: IncomingMessage): void {
  if (process.env.COSMOS_LOCAL_DEBUG) {
    console.error(err);
    return;
  }
  console.error(`cosmos-local: 500 ${req.method ?? ''} ${req.url ?? ''}: ${err.message}`);
}

export async function startEmbeddedCosmos(options: EmbeddedCosmosOptions = {}): Promise<EmbeddedCosmos> {
  const host = options.host ?? '127.0.0.1';
  const account = new Account(options.engine ?? 'indexed');
  const persistence =
    options.dataDir === undefined
      ? undefined
      : await Persistence.open(options.dataDir, account, options.compactBytes === undefined ? {} : { compactBytes: options.compactBytes });
  const server = createServer({ keepAlive: true }, requestHandler(account, persistence, reportServerError));

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
      ? { storage: { dataDir: options.dataDir, droppedBytes: persistence.droppedBytes, stats: persistence.stats } }
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
