import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { assertProfile, parseReference, pathId, referenceParameter } from '../graph/odata.js';
import type { Services } from './services.js';

/** `DELETE …/connectors/{id}/memberOf/$ref?@id=<group url>`: the same removal as `members/$ref?@id=`, seen from the connector. */
export const removeConnectorMemberOfByRef = defineEndpoint<Services>({
  name: 'connectors-memberof-ref-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/$ref',
  methods: ['DELETE'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const connectorId = pathId(params.id, 'connector');
    const groupId = parseReference(referenceParameter(req.query), 'connectorGroups');
    await directory.removeMember(caller.tenantId, groupId, connectorId);
    return noContent(ctx);
  },
});
