import { connectorView } from '../directory/model.js';
import { collectionResponse } from '../graph/collection.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { connectorNavigation, membersSource } from './responses.js';
import type { Services } from './services.js';

/** The connectors of a group. */
export const listConnectorGroupMembers = defineEndpoint<Services>({
  name: 'connectorgroups-members-list',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/members',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory, pagingKey }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const tenant = caller.tenantId;
    const groupId = pathId(params.id, 'connectorGroup');
    return collectionResponse(req, ctx, tenant, pagingKey, {
      ...membersSource(directory, tenant, groupId),
      navigation: connectorNavigation(ctx, directory, tenant),
    }, connectorView);
  },
});
