import { groupShape } from '../directory/model.js';
import { entityQuery } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { groupEntity, groupNavigation } from './responses.js';
import type { Services } from './services.js';

/** A group; `$select` and `$expand=members` apply. */
export const getConnectorGroup = defineEndpoint<Services>({
  name: 'connectorgroups-get',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const navigation = groupNavigation(ctx, directory, caller.tenantId);
    const { select, expand } = entityQuery(req, ctx, groupShape, navigation);
    const group = await directory.group(caller.tenantId, pathId(params.id, 'connectorGroup'));
    return groupEntity(ctx, group, { select, expand, navigation });
  },
});
