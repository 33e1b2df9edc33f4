import { groupShape } from '../directory/model.js';
import { collectionResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile } from '../graph/odata.js';
import { PROFILE_FRAGMENT, groupNavigation, presentGroup } from './responses.js';
import type { Services } from './services.js';

/** List the tenant's connectorGroups, the Default group included. */
export const listConnectorGroups = defineEndpoint<Services>({
  name: 'connectorgroups-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory, pagingKey }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const tenant = caller.tenantId;
    return collectionResponse(req, ctx, tenant, pagingKey, {
      shape: groupShape,
      fragment: `${PROFILE_FRAGMENT}/connectorGroups`,
      page: (filter, page) => directory.listGroups(tenant, filter, page),
      count: (filter) => directory.countGroups(tenant, filter),
      navigation: groupNavigation(ctx, directory, tenant),
    }, presentGroup(ctx));
  },
});
