import { referenceSchema } from '../directory/model.js';
import { parseBody } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { assertProfile, parseReference, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/** Add a connector to this group (moving it from its current one): 204, as the metadata documents every `$ref` write. */
export const addConnectorGroupMember = defineEndpoint<Services>({
  name: 'connectorgroups-members-add',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/$ref',
  methods: ['POST'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const groupId = pathId(params.id, 'connectorGroup');
    const body = await parseBody(req, referenceSchema, 'microsoft.graph.connector');
    const connectorId = parseReference(body['@odata.id'], 'connectors');
    await directory.moveConnector(caller.tenantId, connectorId, groupId);
    return noContent(ctx);
  },
});
