import { groupShape } from '../directory/model.js';
import { collectionResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { PROFILE_FRAGMENT, groupNavigation, presentGroup } from './responses.js';
import type { Services } from './services.js';

/** The groups a connector is in: always exactly one, served as any collection is. */
export const listConnectorMemberOf = defineEndpoint<Services>({
  name: 'connectors-memberof-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory, pagingKey }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const tenant = caller.tenantId;
    const id = pathId(params.id, 'connector');
    return collectionResponse(req, ctx, tenant, pagingKey, {
      shape: groupShape,
      fragment: `${PROFILE_FRAGMENT}/connectors('${id}')/memberOf`,
      page: (query, page) => directory.listMemberOf(tenant, id, query, page),
      count: (query) => directory.countMemberOf(tenant, id, query),
      navigation: groupNavigation(ctx, directory, tenant),
    }, presentGroup(ctx));
  },
});
