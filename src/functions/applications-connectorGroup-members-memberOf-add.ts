import { groupObjectReferenceSchema, referenceSchema } from '../directory/model.js';
import { readJsonObject, validate } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { parseReference, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/**
 * Seed 002: a Graph navigation — the application's connectorGroup (Default when unassigned), then its
 * member `{connectorId}` — whose `memberOf/$ref` moves that connector to the group the body names, by
 * `@odata.id` or by a connectorGroup object with its `id`. The connector must be in the application's group.
 */
export const addApplicationGroupMemberMemberOf = defineEndpoint<Services>({
  name: 'applications-connectorgroup-members-memberof-add',
  route: 'applications/{applicationId}/connectorGroup/members/{connectorId}/memberOf/$ref',
  methods: ['POST'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    const applicationId = pathId(params.applicationId, 'application');
    const connectorId = pathId(params.connectorId, 'connector');
    const body = await readJsonObject(req);
    const target =
      '@odata.id' in body
        ? parseReference(validate(body, referenceSchema, 'microsoft.graph.connectorGroup')['@odata.id'], 'connectorGroups')
        : validate(body, groupObjectReferenceSchema, 'microsoft.graph.connectorGroup').id;
    const appGroupId = await directory.groupIdOfApplication(caller.tenantId, applicationId);
    await directory.moveConnector(caller.tenantId, connectorId, target, appGroupId);
    return noContent(ctx);
  },
});
