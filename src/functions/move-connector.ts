/**
 * The three routes that move a connector to another group: adding it to a group moves it, as a connector is
 * in exactly one (docs/API.md, "Membership and assignment"). Each ends in `directory.moveConnector`.
 */
import { groupObjectReferenceSchema, referenceSchema } from '../directory/wire.js';
import { noContent } from '../graph/http.js';
import { parseReference } from '../graph/odata.js';
import { groupEntity, orMinimal } from './responses.js';
import { endpoint } from './services.js';

/**
 * From the connector: 201 with the target group, or 204 on `return=minimal` (docs/API.md, "Where this
 * service deliberately differs from Microsoft Graph's published metadata", row 1).
 */
export const connectorsMemberOfAdd = endpoint({
  name: 'connectors-memberOf-add',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/$ref',
  methods: ['POST'],
  access: 'write',
  params: { profileId: 'profile', id: 'connector' },
  doc: {
    summary: 'Move a connector to a connectorGroup',
    status: 201,
    minimal: true,
    response: { kind: 'entity', type: 'connectorGroup' },
  },
  body: { schema: referenceSchema, type: 'connectorGroup' },
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope, body }) => {
      const moved = await directory.moveConnector(scope, params.id, parseReference(body['@odata.id'], 'connectorGroups'));
      return orMinimal(ctx, () => groupEntity(ctx, moved, { status: 201 }));
    },
});

/** From the target group: 204, as the metadata documents every `$ref` write. */
export const connectorGroupsMembersAdd = endpoint({
  name: 'connectorGroups-members-add',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/$ref',
  methods: ['POST'],
  access: 'write',
  params: { profileId: 'profile', id: 'connectorGroup' },
  doc: { summary: 'Move a connector into this group', status: 204, response: { kind: 'none' } },
  body: { schema: referenceSchema, type: 'connector' },
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope, body }) => {
      await directory.moveConnector(scope, parseReference(body['@odata.id'], 'connectors'), params.id);
      return noContent(ctx);
    },
});

/**
 * Through an application: its connectorGroup (Default when unassigned), then that group's member, whose
 * `memberOf/$ref` moves the connector to the group the body names, by `@odata.id` or by a connectorGroup
 * object with its `id`. The connector must be in the application's group (docs/API.md, "Routes").
 */
export const applicationsConnectorGroupMembersMemberOfAdd = endpoint({
  name: 'applications-connectorGroup-members-memberOf-add',
  route: 'applications/{applicationId}/connectorGroup/members/{connectorId}/memberOf/$ref',
  methods: ['POST'],
  access: 'write',
  params: { applicationId: 'application', connectorId: 'connector' },
  doc: { summary: "Move a member of the application's group to another connectorGroup", status: 204, response: { kind: 'none' } },
  body: {
    oneOf: [
      { schema: referenceSchema, type: 'connectorGroup', when: '@odata.id' },
      { schema: groupObjectReferenceSchema, type: 'connectorGroup' },
    ],
  },
  handler:
    ({ directory }) =>
    async ({ ctx, params, scope, body }) => {
      const target = '@odata.id' in body ? parseReference(body['@odata.id'], 'connectorGroups') : body.id;
      const appGroupId = await directory.groupIdOfApplication(scope, params.applicationId);
      await directory.moveConnector(scope, params.connectorId, target, appGroupId);
      return noContent(ctx);
    },
});
