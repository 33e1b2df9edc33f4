import type { Endpoint } from '../graph/endpoint.js';
import { getApplicationConnectorGroup } from './applications-connectorGroup-get.js';
import { addApplicationGroupMemberMemberOf } from './applications-connectorGroup-members-memberOf-add.js';
import { unassignApplicationConnectorGroup } from './applications-connectorGroup-ref-delete.js';
import { getApplicationConnectorGroupRef } from './applications-connectorGroup-ref-get.js';
import { assignApplicationConnectorGroup } from './applications-connectorGroup-ref-put.js';
import { batch } from './batch.js';
import { countConnectorGroupApplications } from './connectorGroups-applications-count.js';
import { getConnectorGroupApplication } from './connectorGroups-applications-get.js';
import { listConnectorGroupApplications } from './connectorGroups-applications-list.js';
import { countConnectorGroups } from './connectorGroups-count.js';
import { createConnectorGroupLegacy } from './connectorGroups-create-legacy.js';
import { createConnectorGroup } from './connectorGroups-create.js';
import { deleteConnectorGroup } from './connectorGroups-delete.js';
import { getConnectorGroup } from './connectorGroups-get.js';
import { listConnectorGroups } from './connectorGroups-list.js';
import { addConnectorGroupMember } from './connectorGroups-members-add.js';
import { countConnectorGroupMembers } from './connectorGroups-members-count.js';
import { removeConnectorGroupMember } from './connectorGroups-members-item-ref-delete.js';
import { listConnectorGroupMembers } from './connectorGroups-members-list.js';
import { removeConnectorGroupMemberByRef } from './connectorGroups-members-ref-delete.js';
import { listConnectorGroupMemberRefs } from './connectorGroups-members-ref-list.js';
import { updateConnectorGroup } from './connectorGroups-update.js';
import { countConnectors } from './connectors-count.js';
import { createConnector } from './connectors-create.js';
import { deleteConnector } from './connectors-delete.js';
import { getConnector } from './connectors-get.js';
import { listConnectors } from './connectors-list.js';
import { addConnectorMemberOf } from './connectors-memberOf-add.js';
import { countConnectorMemberOf } from './connectors-memberOf-count.js';
import { removeConnectorMemberOf } from './connectors-memberOf-item-ref-delete.js';
import { listConnectorMemberOf } from './connectors-memberOf-list.js';
import { removeConnectorMemberOfByRef } from './connectors-memberOf-ref-delete.js';
import { listConnectorMemberOfRefs } from './connectors-memberOf-ref-list.js';
import { updateConnector } from './connectors-update.js';
import { getMetadata } from './metadata-get.js';
import { getOpenApi } from './openapi-get.js';
import { countProfiles } from './profiles-count.js';
import { getProfile } from './profiles-get.js';
import { listProfiles } from './profiles-list.js';
import type { Services } from './services.js';

/**
 * Every versioned endpoint, each registered under `beta/` and `v1.0/`. The host matches in function-name
 * order and a literal does not beat a parameter, so a `$count` or `$ref` route's name must sort before the
 * `{id}` route it overlaps (test/http/routing.test.ts holds this in place).
 */
export const endpoints: Endpoint<Services>[] = [
  // seeds 000, 001, 004, 003, 002
  createConnectorGroup,
  createConnectorGroupLegacy,
  createConnector,
  addConnectorMemberOf,
  addApplicationGroupMemberMemberOf,
  // groups
  listConnectorGroups,
  countConnectorGroups,
  getConnectorGroup,
  updateConnectorGroup,
  deleteConnectorGroup,
  listConnectorGroupMembers,
  countConnectorGroupMembers,
  addConnectorGroupMember,
  listConnectorGroupMemberRefs,
  removeConnectorGroupMemberByRef,
  removeConnectorGroupMember,
  listConnectorGroupApplications,
  countConnectorGroupApplications,
  getConnectorGroupApplication,
  // connectors
  listConnectors,
  countConnectors,
  getConnector,
  updateConnector,
  deleteConnector,
  listConnectorMemberOf,
  countConnectorMemberOf,
  listConnectorMemberOfRefs,
  removeConnectorMemberOfByRef,
  removeConnectorMemberOf,
  // applications and the profile
  getApplicationConnectorGroup,
  getApplicationConnectorGroupRef,
  assignApplicationConnectorGroup,
  unassignApplicationConnectorGroup,
  listProfiles,
  countProfiles,
  getProfile,
  // the service's CSDL
  getMetadata,
  // JSON batching: each item runs through this same table
  batch,
];

/** Registered once, outside the versions: the route prefix is "", so `/openapi.json` is at the root. */
export const unversioned: Endpoint<Services>[] = [getOpenApi];

export { fallback } from './fallback.js';
