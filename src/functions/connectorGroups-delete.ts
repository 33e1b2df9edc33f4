import { defineEndpoint } from '../graph/endpoint.js';
import { noContent } from '../graph/http.js';
import { assertProfile, ifMatch, pathId } from '../graph/odata.js';
import type { Services } from './services.js';

/** Delete an empty group; never the Default group. */
export const deleteConnectorGroup = defineEndpoint<Services>({
  name: 'connectorgroups-delete',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}',
  methods: ['DELETE'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    await directory.deleteGroup(caller.tenantId, pathId(params.id, 'connectorGroup'), ifMatch(req.headers.get('if-match')));
    return noContent(ctx);
  },
});
