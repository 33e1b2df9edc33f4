import { groupShape } from '../directory/model.js';
import { countResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/** `connectors/{id}/memberOf/$count`: 1 (a connector is in one group), or 0 when `$filter` excludes it. */
export const countConnectorMemberOf = defineEndpoint<Services>({
  name: 'connectors-memberof-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/$count',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const id = pathId(params.id, 'connector');
    return countResponse(req, ctx, { shape: groupShape, count: (query) => directory.countMemberOf(caller.tenantId, id, query) });
  },
});
