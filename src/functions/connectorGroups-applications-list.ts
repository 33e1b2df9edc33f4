import { collectionResponse } from '../graph/collection.js';
import { badRequest } from '../graph/errors.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { APPLICATION_SHAPE, PROFILE_FRAGMENT, applicationView } from './responses.js';
import type { Services } from './services.js';

/** The applications assigned to a group, as references the service knows: `id` and `@odata.type`. */
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
      shape: APPLICATION_SHAPE,
      fragment: `${PROFILE_FRAGMENT}/connectorGroups('${groupId}')/applications`,
      page: async (query, page) => {
        if (query.filter || query.orderBy?.length) throw badRequest('$filter and $orderby are not supported on applications.');
        const found = await directory.listApplications(tenant, groupId, page);
        return { items: found.items.map((a) => ({ id: a.applicationId })), continuation: found.continuation };
      },
      count: () => directory.countApplications(tenant, groupId),
    }, applicationView);
  },
});
