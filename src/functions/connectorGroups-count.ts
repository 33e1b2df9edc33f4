import { groupShape } from '../directory/model.js';
import { countResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile } from '../graph/odata.js';
import type { Services } from './services.js';

/** `connectorGroups/$count`. Its name sorts before `connectorgroups-get`, whose `{id}` would also match. */
export const countConnectorGroups = defineEndpoint<Services>({
  name: 'connectorgroups-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/$count',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    return countResponse(req, ctx, { shape: groupShape, count: (filter) => directory.countGroups(caller.tenantId, filter) });
  },
});
