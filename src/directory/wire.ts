/**
 * The request bodies, as the wire carries them: one zod schema each (unknown properties are refused by
 * strictObject), with `@odata.type` and the OpenAPI metadata the service describes them with.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { isGuid } from '../lib/guid.js';
import { CONNECTOR_STATUSES, GROUP_TYPE, REGIONS } from './documents.js';

const odataType = (name: string) =>
  z.string().refine((v) => v.replace(/^#/, '').toLowerCase() === `microsoft.graph.${name}`.toLowerCase(), {
    message: `expected '#microsoft.graph.${name}'`,
  });

const guid = z
  .string()
  .refine(isGuid, { message: 'expected a GUID' })
  .transform((v) => v.toLowerCase());

/**
 * `connectorGroupType` and `isDefault` are set by the system, yet Graph's create page lists them in the
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
  .meta({
    description: "Set by the service; may be sent with the group's own value (true only on the Default group), which changes nothing.",
  })
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
 * The other body form of a move through an application (docs/API.md, "Routes"): a connectorGroup object
 * naming the target by `id`. The other properties describe the target; they must have the right types but
 * do not change it.
 */
export const groupObjectReferenceSchema = z.strictObject({
  '@odata.type': odataType('connectorGroup').optional(),
  id: guid,
  name: groupName.optional(),
  connectorGroupType: z.literal(GROUP_TYPE).optional(),
  isDefault: z.boolean().optional(),
  region: z.enum(REGIONS).nullable().optional(),
});
