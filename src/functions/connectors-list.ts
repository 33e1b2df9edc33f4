import { connectorShape, connectorView } from '../directory/model.js';
import { collectionResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile } from '../graph/odata.js';
import { PROFILE_FRAGMENT, connectorNavigation } from './responses.js';
import type { Services } from './services.js';

export const listConnectors = defineEndpoint<Services>({
  name: 'connectors-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory, pagingKey }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const tenant = caller.tenantId;
    return collectionResponse(req, ctx, tenant, pagingKey, {
      shape: connectorShape,
      fragment: `${PROFILE_FRAGMENT}/connectors`,
      page: (filter, page) => directory.listConnectors(tenant, filter, page),
      count: (filter) => directory.countConnectors(tenant, filter),
      navigation: connectorNavigation(ctx, directory, tenant),
    }, connectorView);
  },
});
