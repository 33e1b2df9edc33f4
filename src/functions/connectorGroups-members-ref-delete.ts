import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { assertProfile, parseReference, pathId, referenceParameter } from '../graph/odata.js';
import type { Services } from './services.js';

/**
 * `DELETE …/members/$ref?@id=<connector url>`: takes the connector out of this group, which returns it
 * to Default (a connector is always in one group). From Default itself: 400. Not a member here: 404.
 */
export const removeConnectorGroupMemberByRef = defineEndpoint<Services>({
  name: 'connectorgroups-members-ref-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/$ref',
  methods: ['DELETE'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const groupId = pathId(params.id, 'connectorGroup');
    const connectorId = parseReference(referenceParameter(req.query), 'connectors');
    await directory.removeMember(caller.tenantId, groupId, connectorId);
    return noContent(ctx);
  },
});
