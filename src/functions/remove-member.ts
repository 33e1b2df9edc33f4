/**
 * The four routes that take a connector out of a group, which returns it to Default (a connector is always
 * in one group): from the group or from the connector, the other side named by `@id` or in the path. From
 * Default itself: 400; not a member there: 404 (docs/API.md, "Membership and assignment"). Each ends in
 * `directory.removeMember`.
 */
import { noContent } from '../graph/http.js';
import { parseReference, referenceParameter } from '../graph/odata.js';
import { endpoint } from './services.js';

const doc = (summary: string, query?: ['@id']) => ({
  summary,
  status: 204 as const,
  response: { kind: 'none' as const },
  ...(query ? { query } : {}),
});

/** `DELETE …/members/$ref?@id=<connector url>`. */
export const connectorGroupsMembersRefDelete = endpoint({
  name: 'connectorGroups-members-ref-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/$ref',
  methods: ['DELETE'],
  access: 'write',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: doc('Take the connector named by @id out of this group (it returns to Default)', ['@id']),
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) => {
      await directory.removeMember(scope, params.id, parseReference(referenceParameter(req.query), 'connectors'));
      return noContent(ctx);
    },
});

/** `DELETE …/members/{connectorId}/$ref`. */
export const connectorGroupsMembersItemRefDelete = endpoint({
  name: 'connectorGroups-members-item-ref-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/{connectorId}/$ref',
  methods: ['DELETE'],
  access: 'write',
  params: { profileId: 'profile', id: 'connectorGroup', connectorId: 'connector' },
  doc: doc('Take a connector out of this group (it returns to Default)'),
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope }) => {
      await directory.removeMember(scope, params.id, params.connectorId);
      return noContent(ctx);
    },
});

/** `DELETE …/connectors/{id}/memberOf/$ref?@id=<group url>`. */
export const connectorsMemberOfRefDelete = endpoint({
  name: 'connectors-memberOf-ref-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/$ref',
  methods: ['DELETE'],
  access: 'write',
  params: { profileId: 'profile', id: 'connector' },
  doc: doc('Take the connector out of the group named by @id (it returns to Default)', ['@id']),
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) => {
      await directory.removeMember(scope, parseReference(referenceParameter(req.query), 'connectorGroups'), params.id);
      return noContent(ctx);
    },
});

/** `DELETE …/connectors/{id}/memberOf/{groupId}/$ref`. */
export const connectorsMemberOfItemRefDelete = endpoint({
  name: 'connectors-memberOf-item-ref-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/{groupId}/$ref',
  methods: ['DELETE'],
  access: 'write',
  params: { profileId: 'profile', id: 'connector', groupId: 'connectorGroup' },
  doc: doc('Take the connector out of this group (it returns to Default)'),
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope }) => {
      await directory.removeMember(scope, params.groupId, params.id);
      return noContent(ctx);
    },
});
