import { groupShape } from '../directory/model.js';
import { entitySelect } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { groupEntity } from './responses.js';
import type { Services } from './services.js';

export const getConnectorGroup = defineEndpoint<Services>({
  name: 'connectorgroups-get',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const select = entitySelect(req, ctx, groupShape);
    return groupEntity(ctx, await directory.group(caller.tenantId, pathId(params.id, 'connectorGroup')), 200, select);
  },
});
