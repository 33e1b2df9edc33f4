/**
 * What the directory stores: the document of each type, the ids derived from others (an edge's from its
 * connector's, the Default group's from the tenant), what callers may select, filter and order by, and the
 * container's indexing policy that follows from it. Request bodies are in wire.ts, what callers see in views.ts.
 */
import { createHash } from 'node:crypto';
import { indexingPolicyFor } from '../store/indexing.js';
import type { EntityShape } from '../lib/query.js';
import type { StoreDoc } from '../store/store.js';

/** Every document lives in its tenant's partition and says which of the directory's types it is. */
export type DocType = 'connectorGroup' | 'connector' | 'connectorMembership' | 'applicationAssignment' | 'directoryAudit';

export interface Doc extends StoreDoc {
  type: DocType;
}

export const REGIONS = ['nam', 'eur', 'aus', 'asia', 'ind', 'unknownFutureValue'] as const;
export const CONNECTOR_STATUSES = ['active', 'inactive'] as const;
export const GROUP_TYPE = 'applicationProxy';

export interface GroupDoc extends Doc {
  type: 'connectorGroup';
  name: string;
  connectorGroupType: typeof GROUP_TYPE;
  isDefault: boolean;
  region: string | null;
  /** Kept equal to the number of membership edges pointing here, inside the same batches. */
  memberCount: number;
  applicationCount: number;
}

export interface ConnectorDoc extends Doc {
  type: 'connector';
  machineName: string;
  externalIp: string;
  status: (typeof CONNECTOR_STATUSES)[number];
  version: string;
}

/** connector -> group; its id derives from the connector's, so a connector cannot have two. */
export interface MembershipDoc extends Doc {
  type: 'connectorMembership';
  connectorId: string;
  groupId: string;
}

/** application -> group, for applications assigned away from Default. */
export interface AssignmentDoc extends Doc {
  type: 'applicationAssignment';
  applicationId: string;
  groupId: string;
}

export const membershipId = (connectorId: string) => `${connectorId}.memberOf`;
export const assignmentId = (applicationId: string) => `${applicationId}.connectorGroup`;

/** A name-based GUID (version 5 layout) from a SHA-256 of `name`. */
function guidOf(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Tenants whose Default group id is remembered (a hash per request otherwise); beyond it, forgotten and remade. */
const MAX_REMEMBERED_DEFAULT_IDS = 10_000;
const defaultIds = new Map<string, string>();

/** The Default group's id is a function of the tenant, so a tenant can never get two. */
export function defaultGroupId(tenantId: string): string {
  let id = defaultIds.get(tenantId);
  if (id === undefined) {
    id = guidOf(`connectorGroup/default/${tenantId.toLowerCase()}`);
    if (defaultIds.size >= MAX_REMEMBERED_DEFAULT_IDS) defaultIds.clear();
    defaultIds.set(tenantId, id);
  }
  return id;
}

/**
 * The id of an object created without a caller-chosen id, when the caller named its request with a
 * `client-request-id`: a function of the tenant, that id and the request body, so a retry of a create whose
 * answer was lost finds the object the first attempt made instead of making a second. (The Graph SDKs keep
 * the client-request-id across their retries; a different body is a different request.)
 */
export const requestedId = (tenantId: string, kind: 'connectorGroup' | 'connector', clientRequestId: string, input: object): string =>
  guidOf(`${kind}/request/${tenantId.toLowerCase()}/${clientRequestId}/${JSON.stringify(input)}`);

// --- what callers may select, filter and order by ---

export const groupShape: EntityShape = {
  properties: {
    id: { type: 'guid' },
    name: { type: 'string' },
    connectorGroupType: { type: 'enum', values: [GROUP_TYPE] },
    isDefault: { type: 'boolean' },
    region: { type: 'enum', values: REGIONS, nullable: true },
  },
};

/**
 * The publishing profile, for `$select` only (it is not stored). `hybridAgentUpdaterConfiguration` is a complex
 * type that shapes cannot describe; it is always null here, so it is not selectable.
 */
export const profileShape: EntityShape = {
  properties: { id: { type: 'string' }, isEnabled: { type: 'boolean' }, isDefaultAccessEnabled: { type: 'boolean' } },
};

export const connectorShape: EntityShape = {
  properties: {
    id: { type: 'guid' },
    machineName: { type: 'string' },
    externalIp: { type: 'string' },
    status: { type: 'enum', values: CONNECTOR_STATUSES },
    version: { type: 'string' },
  },
};

/** The container's indexing policy, from the properties a caller may order by. */
export const containerIndexingPolicy = () =>
  indexingPolicyFor([groupShape, connectorShape].map((shape) => Object.keys(shape.properties)));
