import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { assertProfile, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/** `DELETE …/members/{connectorId}/$ref`: as `members/$ref?@id=`, with the connector in the path. */
export const removeConnectorGroupMember = defineEndpoint<Services>({
  name: 'connectorgroups-members-item-ref-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/{connectorId}/$ref',
  methods: ['DELETE'],
  access: 'write',
  handler: ({ directory }) => async ({ ctx, params, caller }) => {
    assertProfile(params.profileId);
    const groupId = pathId(params.id, 'connectorGroup');
    await directory.removeMember(caller.tenantId, groupId, pathId(params.connectorId, 'connector'));
    return noContent(ctx);
  },
});
