import { readFileSync } from 'node:fs';
import { StoreDirectory } from './directory/directory.js';
import { endpoints, zzzFallback } from './functions/index.js';
import type { RegisteredFunction, Services } from './functions/services.js';
import { serve, toHttpHandler, type EdgeOptions, type Endpoint } from './graph/endpoint.js';
import { RouteTable, assertPrecedence } from './host/index.js';
import { assertLocalModeAllowed, createAuthenticator, type Authenticator } from './identity/index.js';
import { loadSettings, type Settings } from './settings.js';
import { containerOf, createCosmosClient, type CosmosClient } from './store/client.js';
import { Store } from './store/store.js';

/** host.json's `extensions.http.routePrefix` (the host's default is `api`); ours is "" as routes carry their version. */
export function readRoutePrefix(hostJsonPath = 'host.json'): string {
  const host = JSON.parse(readFileSync(hostJsonPath, 'utf8')) as { extensions?: { http?: { routePrefix?: string } } };
  return host.extensions?.http?.routePrefix ?? 'api';
}

const VERSIONS = [
  ['beta', 'beta'],
  ['v1.0', 'v1'],
] as const;

/**
 * The functions the host registers: each versioned endpoint under both versions (name suffixed `-beta`/`-v1`),
 * each unversioned one once, under its own name and route.
 */
export function declareFunctions<E extends { name: string; route: string; unversioned?: true }>(list: E[]) {
  return list.flatMap((endpoint) =>
    endpoint.unversioned
      ? [{ endpoint, name: endpoint.name, route: endpoint.route }]
      : VERSIONS.map(([version, suffix]) => ({ endpoint, name: `${endpoint.name}-${suffix}`, route: `${version}/${endpoint.route}` })),
  );
}

/**
 * Registers each endpoint (under both versions unless unversioned), plus the fallback, and validates the
 * table as the host would and for the precedence the overlapping routes need.
 */
export function buildFunctions(
  list: Endpoint<Services>[],
  services: Omit<Services, 'routes'>,
  authenticator: Authenticator,
  edge: EdgeOptions = {},
  routePrefix = readRoutePrefix(),
): RouteTable<RegisteredFunction> {
  // The fallback and $batch consult the finished table, which exists once every function is built.
  const all: Services = { ...services, routes: () => table };
  const register = (e: Endpoint<Services>, name: string, route: string): RegisteredFunction => {
    const handler = toHttpHandler(serve(e, all), e.access, authenticator, edge);
    // The host calls `handler` with its HttpRequest; `$batch` calls the same function as `serve`.
    return { name, route, methods: e.methods, doc: e.doc, handler, serve: handler };
  };
  const functions = [
    ...declareFunctions(list).map((f) => register(f.endpoint, f.name, f.route)),
    register(zzzFallback, zzzFallback.name, zzzFallback.route),
  ];
  assertPrecedence(functions);
  const table = new RouteTable(functions, routePrefix);
  return table;
}

export interface App {
  settings: Settings;
  cosmos: CosmosClient;
  routes: RouteTable<RegisteredFunction>;
}

/** The composition root: settings once, one Cosmos client, every function from one table. */
export function compose(env: NodeJS.ProcessEnv): App {
  const settings = loadSettings(env);
  if (settings.identity.mode === 'local') assertLocalModeAllowed(env);
  const cosmos = createCosmosClient(settings.cosmos);
  const directory = new StoreDirectory(new Store(containerOf(cosmos, settings.cosmos)), {
    auditRetentionDays: settings.auditRetentionDays,
  });
  const trust = {
    forwardedHosts: new Set(settings.forwardedHosts),
    trustedHosts: new Set(settings.trustedHosts),
    ...(settings.canonicalHost ? { canonicalHost: settings.canonicalHost } : {}),
  };
  const edge: EdgeOptions = { trust, deadlineMs: settings.requestDeadlineMs };
  const routes = buildFunctions(
    endpoints,
    { directory, pagingKey: settings.pagingKey },
    createAuthenticator(settings.identity),
    edge,
    readRoutePrefix(),
  );
  return { settings, cosmos, routes };
}
