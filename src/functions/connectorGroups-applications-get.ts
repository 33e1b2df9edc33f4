import { entityQuery } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { json } from '../graph/http.js';
import { assertProfile, entityBody, pathId } from '../graph/odata.js';
import { APPLICATION_SHAPE, PROFILE_FRAGMENT, applicationView } from './responses.js';
import type { Services } from './services.js';

/** One application assigned to this group; 404 when it is assigned elsewhere or not at all. */
export const getConnectorGroupApplication = defineEndpoint<Services>({
  name: 'connectorgroups-applications-get',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/applications/{applicationId}',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const groupId = pathId(params.id, 'connectorGroup');
    const { select } = entityQuery(req, ctx, APPLICATION_SHAPE);
    const edge = await directory.applicationOfGroup(caller.tenantId, groupId, pathId(params.applicationId, 'application'));
    const fragment = `${PROFILE_FRAGMENT}/connectorGroups('${groupId}')/applications/$entity`;
    return json(ctx, 200, entityBody(ctx, fragment, applicationView({ id: edge.applicationId }), { select }));
  },
});
