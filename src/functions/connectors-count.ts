import { connectorShape } from '../directory/model.js';
import { countResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile } from '../graph/odata.js';
import type { Services } from './services.js';

/** `connectors/$count`. Its name sorts before `connectors-get`, whose `{id}` would also match. */
export const countConnectors = defineEndpoint<Services>({
  name: 'connectors-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/$count',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    return countResponse(req, ctx, { shape: connectorShape, count: (filter) => directory.countConnectors(caller.tenantId, filter) });
  },
});
