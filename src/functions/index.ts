import type { Endpoint } from '../graph/endpoint.js';
import { addApplicationGroupMemberMemberOf } from './applications-connectorGroup-members-memberOf-add.js';
import { createConnectorGroupLegacy } from './connectorGroups-create-legacy.js';
import { createConnectorGroup } from './connectorGroups-create.js';
import { addConnectorMemberOf } from './connectors-memberOf-add.js';
import { createConnector } from './connectors-create.js';
import type { Services } from './services.js';

/**
 * Every versioned endpoint, each registered under `beta/` and `v1.0/`. The host matches in function-name
 * order and a literal does not beat a parameter, so a `$count` or `$ref` route's name must sort before
 * the `{id}` route it overlaps (test/http/routing.test.ts holds this in place).
 */
export const endpoints: Endpoint<Services>[] = [
  createConnectorGroup,
  createConnectorGroupLegacy,
  createConnector,
  addConnectorMemberOf,
  addApplicationGroupMemberMemberOf,
];

export { fallback } from './fallback.js';
