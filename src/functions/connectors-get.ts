import { connectorShape } from '../directory/model.js';
import { entitySelect } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { connectorEntity } from './responses.js';
import type { Services } from './services.js';

export const getConnector = defineEndpoint<Services>({
  name: 'connectors-get',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const select = entitySelect(req, ctx, connectorShape);
    return connectorEntity(ctx, await directory.connector(caller.tenantId, pathId(params.id, 'connector')), 200, select);
  },
});
