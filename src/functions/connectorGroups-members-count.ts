import { connectorShape } from '../directory/model.js';
import { countResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

export const countConnectorGroupMembers = defineEndpoint<Services>({
  name: 'connectorgroups-members-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/$count',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const groupId = pathId(params.id, 'connectorGroup');
    return countResponse(req, ctx, { shape: connectorShape, count: (filter) => directory.countMembers(caller.tenantId, groupId, filter) });
  },
});
