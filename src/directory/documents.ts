/**
 * What the directory stores: the document of each type, the ids derived from others (an edge's from its
 * connector's, the Default group's from the tenant), what callers may select, filter and order by, and the
 * container's indexing policy that follows from it. Request bodies are in wire.ts, what callers see in views.ts.
 */
import { createHash } from 'node:crypto';
import { indexingPolicyFor } from '../store/indexing.js';
import type { EntityShape, FilterOperator, Ordering, PropertyShape } from '../lib/query.js';
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

/**
 * The audit log's one order, newest first: the tenant's records (its WHERE fixes `tenantId` and `type`) by
 * `activityDateTime`. The composite index on these paths serves it and, reversed, oldest first; with the
 * leading two fixed, a page reads only the tenant's records, in order, never the rest of its partition.
 */
export function auditOrder(newestFirst: boolean): Ordering[] {
  return [
    { property: 'tenantId', descending: !newestFirst },
    { property: 'type', descending: !newestFirst },
    { property: 'activityDateTime', descending: newestFirst },
  ];
}

/** The container's indexing policy, from the properties a caller may order by, and the audit log's order. */
export const containerIndexingPolicy = () =>
  indexingPolicyFor(
    [groupShape, connectorShape].map((shape) => Object.keys(shape.properties)),
    [auditOrder(true).map((o) => ({ path: `/${o.property}`, order: o.descending ? 'descending' : 'ascending' }))],
  );

// --- the audit log's records (docs/API.md, "Audit log") ---

const text = (operators: FilterOperator[], nullable = true): PropertyShape => ({ type: 'string', nullable, operators });
const complex: PropertyShape = { type: 'complex', nullable: true };

/**
 * A `directoryAudit` as each version's metadata has it, with the `$filter` operators Graph documents for
 * it (its directoryAudit resource and list pages), `and` as the only connective, and `activityDateTime`
 * as the only order. Stored names are Graph's, so a path is where the record holds the value.
 */
function auditShapeOf(version: 'beta' | 'v1.0'): EntityShape {
  const properties: Record<string, PropertyShape> = {
    id: text(['eq'], false),
    category: { type: 'string', operators: [] },
    correlationId: text(['eq']),
    result: { type: 'string', nullable: true, operators: [] },
    resultReason: { type: 'string', nullable: true, operators: [] },
    activityDisplayName: text(['eq', 'startswith'], false),
    activityDateTime: { type: 'dateTime' },
    loggedByService: text(['eq']),
    operationType: { type: 'string', nullable: true, operators: [] },
    initiatedBy: complex,
    targetResources: {
      type: 'collection',
      nullable: true,
      operators: ['any'],
      items: { properties: { id: text(['eq']), displayName: text(['eq', 'startswith']) } },
    },
    additionalDetails: complex,
    'initiatedBy/user/id': text(['eq']),
    'initiatedBy/user/displayName': text(['eq', 'startswith']),
    'initiatedBy/user/userPrincipalName': text(['eq', 'startswith']),
    'initiatedBy/app/appId': text(['eq']),
    'initiatedBy/app/displayName': text(['eq']),
  };
  if (version === 'beta') properties.userAgent = { type: 'string', nullable: true, operators: [] };
  return { properties, orderable: ['activityDateTime'], conjunctionsOnly: true };
}

export const auditShapes: Readonly<Record<'beta' | 'v1.0', EntityShape>> = { beta: auditShapeOf('beta'), 'v1.0': auditShapeOf('v1.0') };
