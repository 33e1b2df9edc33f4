import { countResponse } from '../graph/collection.js';
import { badRequest } from '../graph/errors.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { assertProfile, pathId } from '../graph/odata.js';
import { APPLICATION_SHAPE } from './responses.js';
import type { Services } from './services.js';

/** `connectorGroups/{id}/applications/$count`. Its name sorts before `connectorgroups-applications-get`, whose `{applicationId}` would also match. */
export const countConnectorGroupApplications = defineEndpoint<Services>({
  name: 'connectorgroups-applications-count',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}/applications/$count',
  methods: ['GET'],
  access: 'read',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const groupId = pathId(params.id, 'connectorGroup');
    return countResponse(req, ctx, {
      shape: APPLICATION_SHAPE,
      count: (query) => {
        if (query.filter) throw badRequest('$filter is not supported on applications.');
        return directory.countApplications(caller.tenantId, groupId);
      },
    });
  },
});
