import { collectionResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { groupNavigation, memberOfSource, presentGroup } from './responses.js';
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
      ...memberOfSource(directory, tenant, id),
      navigation: groupNavigation(ctx, directory, tenant),
    }, presentGroup(ctx));
  },
});
