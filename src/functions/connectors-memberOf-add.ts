import { referenceSchema } from '../directory/model.js';
import { parseBody } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { noContent, wantsMinimal } from '../graph/http.js';
import { assertProfile, parseReference, pathId } from '../graph/odata.js';
import { groupEntity } from './responses.js';
import type { Services } from './services.js';

/** Seed 003: add a connector to a group, which moves it there. 201 with the group, or 204 on return=minimal. */
export const addConnectorMemberOf = defineEndpoint<Services>({
  name: 'connectors-memberof-add',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/$ref',
  methods: ['POST'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const connectorId = pathId(params.id, 'connector');
    const body = await parseBody(req, referenceSchema, 'microsoft.graph.connectorGroup');
    const groupId = parseReference(body['@odata.id'], 'connectorGroups');
    const group = await directory.moveConnector(caller.tenantId, connectorId, groupId);
    return wantsMinimal(ctx) ? noContent(ctx, { 'Preference-Applied': 'return=minimal' }) : groupEntity(ctx, group, { status: 201 });
  },
});
