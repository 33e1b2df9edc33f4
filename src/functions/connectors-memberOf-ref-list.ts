import { groupShape } from '../directory/model.js';
import { collectionResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { PROFILE_FRAGMENT, groupUrl } from './responses.js';
import type { Services } from './services.js';

/** The connector's group as a one-element collection of references. */
export const listConnectorMemberOfRefs = defineEndpoint<Services>({
  name: 'connectors-memberof-ref-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectors/{id}/memberOf/$ref',
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
      reference: (group) => groupUrl(ctx, group.id),
    });
  },
});
