import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the SDK sent it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP proxy in front of a Cosmos endpoint that counts every request the SDK sends (query plans too). */
export interface CountingProxy {
  endpoint: string;
  /** Requests seen so far. */
  count(): number;
  /** The requests seen so far, in arrival order (bodies are complete once each has been answered). */
  seen(): readonly SeenRequest[];
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const record: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: '' };
    seen.push(record);
    req.on('data', (chunk: Buffer) => (record.body += chunk.toString('utf8')));
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    count: () => seen.length,
    seen: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
