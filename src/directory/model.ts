import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { isGuid } from '../lib/guid.js';
import { indexingPolicyFor } from '../store/indexing.js';
import type { EntityShape } from '../store/query.js';
import type { Doc } from '../store/store.js';

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
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
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

// --- request bodies: one zod schema each; unknown properties are refused by strictObject ---

const odataType = (name: string) =>
  z
    .string()
    .refine((v) => v.replace(/^#/, '').toLowerCase() === `microsoft.graph.${name}`.toLowerCase(), {
      message: `expected '#microsoft.graph.${name}'`,
    });

const guid = z
  .string()
  .refine(isGuid, { message: 'expected a GUID' })
  .transform((v) => v.toLowerCase());

/**
 * `connectorGroupType` and `isDefault` are set by the system, yet the seed page of create lists them in the
 * body and Graph accepts them there and ignores them (docs/API.md, "Resources"). So a client may send them
 * with the value the service sets, to no effect; any other value is refused, naming the rule. Whether a
 * group is the Default one only the directory knows on an update; a new group never is.
 */
const connectorGroupType = z
  .string()
  .refine((v) => v === GROUP_TYPE, { message: `it is set by the service and is always '${GROUP_TYPE}'.` })
  .meta({ enum: [GROUP_TYPE], description: `Set by the service; may be sent as '${GROUP_TYPE}', which changes nothing.` })
  .optional();
const isDefaultOnCreate = z
  .boolean()
  .refine((v) => !v, { message: "only the tenant's Default connectorGroup has isDefault true, and a new connectorGroup is never it." })
  .meta({ description: 'Set by the service; may be sent as false, which changes nothing.' })
  .optional();
const isDefaultOnUpdate = z
  .boolean()
  .meta({ description: "Set by the service; may be sent with the group's own value (true only on the Default group), which changes nothing." })
  .optional();

const groupName = z.string().trim().min(1).max(256);
const regionOnCreate = z.enum(REGIONS).refine((r) => r !== 'unknownFutureValue', {
  message: "'unknownFutureValue' cannot be sent",
});

export const createGroupSchema = z.strictObject({
  '@odata.type': odataType('connectorGroup').optional(),
  id: guid.optional(),
  name: groupName,
  connectorGroupType,
  isDefault: isDefaultOnCreate,
  region: regionOnCreate.nullable().optional(),
});
export type CreateGroupInput = z.output<typeof createGroupSchema>;

export const updateGroupSchema = z.strictObject({
  '@odata.type': odataType('connectorGroup').optional(),
  name: groupName.optional(),
  connectorGroupType,
  isDefault: isDefaultOnUpdate,
  // Evolvable enums: unknownFutureValue in a PATCH is ignored rather than stored.
  region: z.enum(REGIONS).nullable().optional(),
});
export type UpdateGroupInput = z.output<typeof updateGroupSchema>;

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const machineName = z.string().refine((v) => HOST_NAME.test(v), { message: 'expected a host name or FQDN' });
const externalIp = z.string().refine((v) => isIP(v) !== 0, { message: 'expected an IPv4 or IPv6 address' });
const version = z.string().refine((v) => v === '' || /^\d{1,9}(\.\d{1,9}){0,3}$/.test(v), {
  message: "expected a version such as '1.5.3437.0'",
});

export const createConnectorSchema = z.strictObject({
  '@odata.type': odataType('connector').optional(),
  id: guid.optional(),
  machineName,
  externalIp,
  status: z.enum(CONNECTOR_STATUSES).optional(),
  version: version.optional(),
});
export type CreateConnectorInput = z.output<typeof createConnectorSchema>;

export const updateConnectorSchema = z.strictObject({
  '@odata.type': odataType('connector').optional(),
  machineName: machineName.optional(),
  externalIp: externalIp.optional(),
  status: z.enum(CONNECTOR_STATUSES).optional(),
  version: version.optional(),
});
export type UpdateConnectorInput = z.output<typeof updateConnectorSchema>;

/** A `$ref` body: `{"@odata.id": "<url>"}`. */
export const referenceSchema = z.strictObject({ '@odata.id': z.string().min(1) });

/**
 * Seed 002's other body form: a connectorGroup object naming the target by `id`. The other properties
 * describe the target; they must have the right types but do not change it.
 */
export const groupObjectReferenceSchema = z.strictObject({
  '@odata.type': odataType('connectorGroup').optional(),
  id: guid,
  name: groupName.optional(),
  connectorGroupType: z.literal(GROUP_TYPE).optional(),
  isDefault: z.boolean().optional(),
  region: z.enum(REGIONS).nullable().optional(),
});

// --- what callers see ---

export interface ConnectorGroup {
  id: string;
  name: string;
  connectorGroupType: string;
  isDefault: boolean;
  region: string | null;
}

export interface Connector {
  id: string;
  machineName: string;
  externalIp: string;
  status: string;
  version: string;
}

export const groupView = (d: GroupDoc): ConnectorGroup => ({
  id: d.id,
  name: d.name,
  connectorGroupType: d.connectorGroupType,
  isDefault: d.isDefault,
  region: d.region,
});

export const connectorView = (d: ConnectorDoc): Connector => ({
  id: d.id,
  machineName: d.machineName,
  externalIp: d.externalIp,
  status: d.status,
  version: d.version,
});
