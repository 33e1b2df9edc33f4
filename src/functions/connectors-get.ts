import { connectorShape } from '../directory/model.js';
import { entityQuery } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { connectorEntity, connectorNavigation } from './responses.js';
import type { Services } from './services.js';

/** A connector; `$select` and `$expand=memberOf` apply. */
export const getConnector = defineEndpoint<Services>({
  name: 'connectors-get',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const navigation = connectorNavigation(ctx, directory, caller.tenantId);
    const { select, expand } = entityQuery(req, ctx, connectorShape, navigation);
    const connector = await directory.connector(caller.tenantId, pathId(params.id, 'connector'));
    return connectorEntity(ctx, connector, { select, expand, navigation });
  },
});
