import type { Endpoint } from '../graph/endpoint.js';
import * as assignment from './assignment.js';
import * as connectors from './connectors.js';
import * as groups from './groups.js';
import * as membership from './membership.js';
import * as moveConnector from './move-connector.js';
import * as profiles from './profiles.js';
import * as removeMember from './remove-member.js';
import * as service from './service.js';
import type { Services } from './services.js';

/**
 * The endpoint modules, one per kind of operation; every export of each is an endpoint, exported under the
 * camelCase form of its name (test/unit/endpoint.test.ts holds this). The order here does nothing: the host
 * orders functions by name, and `assertPrecedence` (host/routing.ts) checks that overlapping routes sort right.
 */
export const modules = { groups, connectors, moveConnector, removeMember, membership, assignment, profiles, service };

/** Every endpoint; each is registered under `beta/` and `v1.0/` unless it says it is unversioned. */
export const endpoints: Endpoint<Services>[] = Object.values(modules).flatMap<Endpoint<Services>>((m) => Object.values(m));

export { zzzFallback } from './fallback.js';
