import { collectionResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { connectorUrl, membersSource } from './responses.js';
import type { Services } from './services.js';

/** The members of a group as references (`{"@odata.id": url}`), paged, filtered and counted like members. */
export const listConnectorGroupMemberRefs = defineEndpoint<Services>({
  name: 'connectorgroups-members-ref-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members/$ref',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory, pagingKey }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const tenant = caller.tenantId;
    const groupId = pathId(params.id, 'connectorGroup');
    return collectionResponse(req, ctx, tenant, pagingKey, {
      ...membersSource(directory, tenant, groupId),
      reference: (connector) => connectorUrl(ctx, connector.id),
    });
  },
});
