import { collectionResponse } from '../graph/collection.js';
import { badRequest } from '../graph/errors.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { PROFILE_FRAGMENT } from './responses.js';
import type { Services } from './services.js';

/** The applications assigned to a group, as `{ id }` (applications themselves live elsewhere in Graph). */
export const listConnectorGroupApplications = defineEndpoint<Services>({
  name: 'connectorgroups-applications-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/applications',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory, pagingKey }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const tenant = caller.tenantId;
    const groupId = pathId(params.id, 'connectorGroup');
    return collectionResponse(req, ctx, tenant, pagingKey, {
      // Applications are listed in assignment order; a filter or order over them has nothing to work on.
      shape: { properties: {} },
      fragment: `${PROFILE_FRAGMENT}/connectorGroups('${groupId}')/applications`,
      page: async (query, page) => {
        if (query.filter || query.orderBy?.length) throw badRequest('$filter and $orderby are not supported on applications.');
        const found = await directory.listApplications(tenant, groupId, page);
        return { items: found.items.map((a) => ({ id: a.applicationId })), continuation: found.continuation };
      },
      count: () => directory.countApplications(tenant, groupId),
    });
  },
});
