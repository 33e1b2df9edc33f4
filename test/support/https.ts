/**
 * HTTPS to the local host from tests, trusting only its self-signed certificate (src/local/tls.ts) and
 * leaving the process's TLS verification alone: no NODE_TLS_REJECT_UNAUTHORIZED, no change to the global
 * dispatcher. `NODE_EXTRA_CA_CERTS` would need to be set before the worker starts; instead, requests carry
 * their own undici dispatcher whose `connect.ca` is that certificate, passed per call as fetch's
 * `dispatcher` option (what Node's fetch accepts, and what the v3 Graph client's `fetchOptions` forward).
 */
import type { Dispatcher } from 'undici-types';
import { ensureLocalCertificate, type LocalCertificate } from '../../src/local/tls.js';

export type { LocalCertificate };

/** The local certificate, made once per machine and shared by all test workers. */
export const localCertificate = (): Promise<LocalCertificate> => ensureLocalCertificate();

type AgentClass = new (options: { connect: { ca: string } }) => Dispatcher;

/**
 * Node bundles undici but does not export it; the `undici` package is not a dependency here. Its Agent
 * class is reached through the global dispatcher, which undici keeps under a registered symbol precisely so
 * that separate copies can share it. Calling fetch once (on a data: URL, no network) makes it exist.
 */
async function bundledAgent(): Promise<AgentClass> {
  const key = Symbol.for('undici.globalDispatcher.1');
  const holder = globalThis as unknown as Record<symbol, unknown>;
  if (!holder[key]) await (await fetch('data:,')).text();
  const dispatcher = holder[key] as { constructor?: { name?: string } } | undefined;
  if (dispatcher?.constructor?.name !== 'Agent') {
    throw new Error('The global fetch dispatcher is not an undici Agent; cannot make a dispatcher trusting the local certificate.');
  }
  return dispatcher.constructor as unknown as AgentClass;
}

const dispatchers = new Map<string, Promise<Dispatcher>>();

/** An undici dispatcher for fetch that trusts `ca` (PEM) and nothing else. */
export function dispatcherTrusting(ca: string): Promise<Dispatcher> {
  let made = dispatchers.get(ca);
  if (!made) {
    made = bundledAgent().then((Agent) => new Agent({ connect: { ca } }));
    dispatchers.set(ca, made);
  }
  return made;
}

/** A fetch that trusts `ca`, for code that takes a custom fetch (Kiota's http client, test calls). */
export async function fetchTrusting(ca: string): Promise<typeof fetch> {
  const dispatcher = await dispatcherTrusting(ca);
  return (input, init) => fetch(input, { ...init, dispatcher } as RequestInit);
}
