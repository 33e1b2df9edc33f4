import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { assertProfile, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/** `DELETE …/connectors/{id}/memberOf/{groupId}/$ref`: as `memberOf/$ref?@id=`, with the group in the path. */
export const removeConnectorMemberOf = defineEndpoint<Services>({
  name: 'connectors-memberof-item-ref-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/{groupId}/$ref',
  methods: ['DELETE'],
  access: 'write',
  handler: ({ directory }) => async ({ ctx, params, caller }) => {
    assertProfile(params.profileId);
    const connectorId = pathId(params.id, 'connector');
    await directory.removeMember(caller.tenantId, pathId(params.groupId, 'connectorGroup'), connectorId);
    return noContent(ctx);
  },
});
