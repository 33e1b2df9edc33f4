import { groupShape } from '../directory/model.js';
import { entityQuery } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { pathId } from '../graph/odata.js';
import { groupEntity, groupNavigation } from './responses.js';
import type { Services } from './services.js';

/** The application's connectorGroup: its assignment, or the Default group. `$select` and `$expand=members` apply. */
export const getApplicationConnectorGroup = defineEndpoint<Services>({
  name: 'applications-connectorgroup-get',
  route: 'applications/{applicationId}/connectorGroup',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    const navigation = groupNavigation(ctx, directory, caller.tenantId);
    const { select, expand } = entityQuery(req, ctx, groupShape, navigation);
    const group = await directory.groupOfApplication(caller.tenantId, pathId(params.applicationId, 'application'));
    return groupEntity(ctx, group, { select, expand, navigation });
  },
});
