import { collectionResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { groupUrl, memberOfSource } from './responses.js';
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
      ...memberOfSource(directory, tenant, id),
      reference: (group) => groupUrl(ctx, group.id),
    });
  },
});
